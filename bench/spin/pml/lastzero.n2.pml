/*
lastzero, n = 2: for (i = N; array[i] != 0; i--); and array[j] = array[j-1] + 1 (load, store)
*/

#define NOBODY 255
#define N 2
#define NT 3
#define TID (_pid - 1)
#define BIT(t) (1 << (t))

/* property markers: never stored, always 0; they name the property in pan's messages */
hidden byte P_found_zero;

byte array[N + 1];
byte zi;
bit zfound;
byte ndone;

proctype scanner() {
  byte i = N;
  /* thread0: array[i] != 0 ? i-- : stop */
  L_scan: if
  :: d_step { (array[i] == 0) -> zi = i; zfound = 1; ndone++ }; goto end_exit
  :: d_step { (!(array[i] == 0)) -> i-- }; goto L_scan
  fi;
end_exit: false;
end_bug: false
}

proctype writer() {
  byte v = 255;
  /* writer: v = array[j-1] */
  d_step { v = array[TID - 1] };
  /* writer: array[j] = v + 1 */
  d_step { array[TID] = v + 1; ndone++ }; goto end_exit;
end_exit: false;
end_bug: false
}

init {
  byte k;
  bit ok;
  atomic { run scanner(); run writer(); run writer() };
  /* end-state properties, once every thread has finished (a deadlock blocks here: invalid end state) */
  d_step { ndone == NT -> ok = 1; k = 1; do :: k <= N -> ok = ok && array[k] >= 1 && array[k] <= k; k++ :: else -> break od; assert((zfound && zi <= N && array[0] == 0 && ok) || P_found_zero) }
}
