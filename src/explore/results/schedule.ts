import { ModelError } from '../../core/errors.js';

/**
 * Schedules: which thread takes each step. Written compactly as comma-separated thread
 * indices with run lengths, e.g. `0*3,1,0*2` = thread 0 three steps, thread 1, thread 0 twice.
 */
export function formatSchedule(tids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < tids.length;) {
    let j = i;
    while (j < tids.length && tids[j] === tids[i]) j++;
    parts.push(j - i > 1 ? `${tids[i]}*${j - i}` : `${tids[i]}`);
    i = j;
  }
  return parts.join(',');
}

export function parseSchedule(text: string, threads: number): number[] {
  const out: number[] = [];
  const trimmed = text.trim();
  if (trimmed === '') return out;
  for (const part of trimmed.split(',')) {
    const m = /^\s*(\d+)(?:\*(\d+))?\s*$/.exec(part);
    if (!m)
      throw new ModelError(`malformed schedule '${text}': '${part}' is not THREAD or THREAD*COUNT`, 'bad-schedule');
    const tid = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    if (tid >= threads)
      throw new ModelError(
        `malformed schedule '${text}': thread ${tid} does not exist (threads 0..${threads - 1})`,
        'bad-schedule',
      );
    if (count < 1 || count > 1_000_000)
      throw new ModelError(`malformed schedule '${text}': bad count in '${part}'`, 'bad-schedule');
    for (let i = 0; i < count; i++) out.push(tid);
  }
  return out;
}
