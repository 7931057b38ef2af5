/**
 * The model language (docs/writing-a-model.md): a declared shared-state layout, kernel paths as
 * structured code, footprints derived from what each step does, compiled to the step machine.
 */
export * from './ast.js';
export { commit, evaluate, type Body, type Ctx, type Evaluation } from './context.js';
export {
  ALL_REDUCTIONS,
  NO_REDUCTIONS,
  compileThread,
  type CompileOptions,
  type LangStep,
  type Reductions,
} from './compile.js';
export * from './domain.js';
export {
  array,
  grouped,
  guardedBy,
  layout,
  unit,
  Layout,
  Ref,
  type ArrayRef,
  type RefsOf,
  type Spec,
  type StateOf,
} from './layout.js';
export { spinlock, spinLock, spinTrylock, spinUnlock } from './lock.js';
export { LockDisciplineError } from './discipline.js';
export { prepass, PREPASS_MAX_STATES, type PrepassOptions, type PrepassReport } from './prepass.js';
export {
  compileProgram,
  mergeableLocks,
  isCompiled,
  type LangCompiled,
  defineModel,
  instantiateWith,
  isLangModel,
  thread,
  withReductions,
  type LangModel,
  type LangProgram,
  type LangThread,
} from './model.js';
