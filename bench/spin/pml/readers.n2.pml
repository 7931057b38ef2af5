/*
readers, n = 2: writer x = 42; reader k: r = x (r copied to the global r[k] for the end check)
*/

#define NOBODY 255
#define NT 3
#define TID (_pid - 1)
#define BIT(t) (1 << (t))

/* property markers: never stored, always 0; they name the property in pan's messages */
hidden byte P_reads_consistent;

byte x;
byte r[3] = 255;
byte ndone;

proctype writer() {
  /* writer: x = 42 */
  d_step { x = 42; ndone++ }; goto end_exit;
end_exit: false;
end_bug: false
}

proctype reader() {
  /* reader: r = x */
  d_step { r[TID] = x; ndone++ }; goto end_exit;
end_exit: false;
end_bug: false
}

init {
  byte k;
  bit ok;
  atomic { run writer(); run reader(); run reader() };
  /* end-state properties, once every thread has finished (a deadlock blocks here: invalid end state) */
  d_step { ndone == NT -> ok = 1; k = 1; do :: k < NT -> ok = ok && (r[k] == 0 || r[k] == 42); k++ :: else -> break od; assert((x == 42 && ok) || P_reads_consistent) }
}
