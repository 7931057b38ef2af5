/*
peterson/no-turn: flags, critical section counter incs
*/

#define NOBODY 255
#define NT 2
#define TID (_pid - 1)
#define BIT(t) (1 << (t))
#define INV assert((incs <= 1) || P_mutual_exclusion)

/* property markers: never stored, always 0; they name the property in pan's messages */
hidden byte P_mutual_exclusion;

byte flag[2];
byte turn;
byte incs;
byte ndone;

proctype P() {
  /* no-turn: read flag[other] */
  if
  :: d_step { (flag[1 - TID] == 0) -> INV }
  :: d_step { (!(flag[1 - TID] == 0)) -> INV; ndone++ }; goto end_exit
  fi;
  /* no-turn: flag[me] = 1 */
  d_step { flag[TID] = 1; INV };
  /* critical: enter */
  d_step { incs++; INV };
  /* critical: leave */
  d_step { incs--; INV };
  /* no-turn: flag[me] = 0 */
  d_step { flag[TID] = 0; INV; ndone++ }; goto end_exit;
end_exit: false;
end_bug: false
}

init {
  atomic { run P(); run P() };
  /* end-state properties, once every thread has finished (a deadlock blocks here: invalid end state) */
  d_step { ndone == NT -> skip }
}
