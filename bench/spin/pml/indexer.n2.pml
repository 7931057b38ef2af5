/*
indexer, n = 2: insert w = 11m + t at h = 7w mod 128 under mutex[h], probing h + 1
*/

#define NOBODY 255
#define SIZE 128
#define MAX 4
#define NT 2
#define TID (_pid - 1)
#define BIT(t) (1 << (t))

/* property markers: never stored, always 0; they name the property in pan's messages */
hidden byte P_inserted_once;
hidden byte P_lock_misuse;

byte mutex[SIZE] = NOBODY;
byte table[SIZE];
byte ndone;

proctype thread() {
  byte m = 1;
  byte w = 11 + TID;
  byte h = (7 * (11 + TID)) % SIZE;
  /* indexer: lock mutex[h] */
  L_lock: if
  :: d_step { (mutex[h] == NOBODY) -> mutex[h] = TID }
  fi;
  /* indexer: if table[h] == 0 then table[h] = w */
  if
  :: d_step { (table[h] == 0) -> table[h] = w }
  :: d_step { (!(table[h] == 0)) -> skip }; goto L_unlock_taken
  fi;
  /* indexer: unlock mutex[h] (inserted) */
  L_unlock_inserted: if
  :: d_step { (mutex[h] != TID) -> assert(P_lock_misuse) }; goto end_bug
  :: d_step { ((!(mutex[h] != TID)) && (m >= MAX)) -> mutex[h] = NOBODY; ndone++ }; goto end_exit
  :: d_step { ((!(mutex[h] != TID)) && (!(m >= MAX))) -> mutex[h] = NOBODY; m++; w = 11 * m + TID; h = (7 * w) % SIZE }; goto L_lock
  fi;
  /* indexer: unlock mutex[h] (slot taken, h = h + 1) */
  L_unlock_taken: if
  :: d_step { (mutex[h] != TID) -> assert(P_lock_misuse) }; goto end_bug
  :: d_step { ((!(mutex[h] != TID))) -> mutex[h] = NOBODY; h = (h + 1) % SIZE }; goto L_lock
  fi;
end_exit: false;
end_bug: false
}

init {
  byte k;
  byte cnt;
  bit ok;
  atomic { run thread(); run thread() };
  /* end-state properties, once every thread has finished (a deadlock blocks here: invalid end state) */
  d_step { ndone == NT -> ok = 1; k = 0; cnt = 0; do :: k < SIZE -> if :: table[k] == 11 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt == 1; k = 0; cnt = 0; do :: k < SIZE -> if :: table[k] == 22 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt == 1; k = 0; cnt = 0; do :: k < SIZE -> if :: table[k] == 33 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt == 1; k = 0; cnt = 0; do :: k < SIZE -> if :: table[k] == 44 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt == 1; k = 0; cnt = 0; do :: k < SIZE -> if :: table[k] == 12 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt == 1; k = 0; cnt = 0; do :: k < SIZE -> if :: table[k] == 23 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt == 1; k = 0; cnt = 0; do :: k < SIZE -> if :: table[k] == 34 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt == 1; k = 0; cnt = 0; do :: k < SIZE -> if :: table[k] == 45 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt == 1; k = 0; cnt = 0; do :: k < SIZE -> if :: table[k] != 0 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt == 8; assert((ok) || P_inserted_once) }
}
