/*
filesystem, n = 2: lock locki[i]; probe lockb[b] from 2i mod 26 for a free block
*/

#define NOBODY 255
#define NUMBLOCKS 26
#define NUMINODE 32
#define NT 2
#define TID (_pid - 1)
#define BIT(t) (1 << (t))

/* property markers: never stored, always 0; they name the property in pan's messages */
hidden byte P_blocks_allocated;
hidden byte P_lock_misuse;

byte locki[NUMINODE] = NOBODY;
byte inode[NUMINODE];
byte lockb[NUMBLOCKS] = NOBODY;
byte busy[NUMBLOCKS];
byte ndone;

proctype thread() {
  byte i = TID % NUMINODE;
  byte b = 255;
  /* filesystem: lock locki[i] */
  d_step { (locki[i] == NOBODY) -> locki[i] = TID };
  /* filesystem: if inode[i] == 0 */
  if
  :: d_step { (inode[i] == 0) -> b = (2 * i) % NUMBLOCKS }
  :: d_step { (!(inode[i] == 0)) -> skip }; goto L_unlock_i
  fi;
  /* filesystem: lock lockb[b] */
  L_lock_b: if
  :: d_step { (lockb[b] == NOBODY) -> lockb[b] = TID }
  fi;
  /* filesystem: if !busy[b] */
  if
  :: d_step { (busy[b] == 0) -> skip }
  :: d_step { (!(busy[b] == 0)) -> skip }; goto L_unlock_b_busy
  fi;
  /* filesystem: busy[b] = 1 */
  d_step { busy[b] = 1 };
  /* filesystem: inode[i] = b + 1 */
  d_step { inode[i] = b + 1 };
  /* filesystem: unlock lockb[b] */
  if
  :: d_step { (lockb[b] != TID) -> assert(P_lock_misuse) }; goto end_bug
  :: d_step { ((!(lockb[b] != TID))) -> lockb[b] = NOBODY }; goto L_unlock_i
  fi;
  /* filesystem: unlock lockb[b] (busy, b = b + 1) */
  L_unlock_b_busy: if
  :: d_step { (lockb[b] != TID) -> assert(P_lock_misuse) }; goto end_bug
  :: d_step { ((!(lockb[b] != TID))) -> lockb[b] = NOBODY; b = (b + 1) % NUMBLOCKS }; goto L_lock_b
  fi;
  /* filesystem: unlock locki[i] */
  L_unlock_i: if
  :: d_step { (locki[i] != TID) -> assert(P_lock_misuse) }; goto end_bug
  :: d_step { (!(locki[i] != TID)) -> locki[i] = NOBODY; ndone++ }; goto end_exit
  fi;
end_exit: false;
end_bug: false
}

init {
  byte k;
  byte cnt;
  byte bb;
  bit ok;
  atomic { run thread(); run thread() };
  /* end-state properties, once every thread has finished (a deadlock blocks here: invalid end state) */
  d_step { ndone == NT -> ok = 1; bb = 0; do :: bb < NUMBLOCKS -> k = 0; cnt = 0; do :: k < NUMINODE -> if :: inode[k] == bb + 1 -> cnt++ :: else -> skip fi; k++ :: else -> break od; ok = ok && cnt <= 1 && (busy[bb] == 0 || cnt == 1); bb++ :: else -> break od; assert((ok && inode[0] != 0 && busy[inode[0] - 1] == 1 && inode[1] != 0 && busy[inode[1] - 1] == 1) || P_blocks_allocated) }
}
