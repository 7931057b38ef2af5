/*
philosophers/ordered, n = 3: lock first fork, lock second, unlock second, unlock first
*/

#define NOBODY 255
#define NT 3
#define TID (_pid - 1)
#define BIT(t) (1 << (t))

/* property markers: never stored, always 0; they name the property in pan's messages */
hidden byte P_lock_misuse;

byte fork[3] = NOBODY;
byte ndone;

proctype phil(byte first; byte second) {
  /* philosopher: lock first fork */
  d_step { (fork[first] == NOBODY) -> fork[first] = TID };
  /* philosopher: lock second fork */
  d_step { (fork[second] == NOBODY) -> fork[second] = TID };
  /* philosopher: unlock second fork */
  if
  :: d_step { (fork[second] != TID) -> assert(P_lock_misuse) }; goto end_bug
  :: d_step { (!(fork[second] != TID)) -> fork[second] = NOBODY }
  fi;
  /* philosopher: unlock first fork */
  if
  :: d_step { (fork[first] != TID) -> assert(P_lock_misuse) }; goto end_bug
  :: d_step { (!(fork[first] != TID)) -> fork[first] = NOBODY; ndone++ }; goto end_exit
  fi;
end_exit: false;
end_bug: false
}

init {
  atomic { run phil(0, 1); run phil(1, 2); run phil(0, 2) };
  /* end-state properties, once every thread has finished (a deadlock blocks here: invalid end state) */
  d_step { ndone == NT -> skip }
}
