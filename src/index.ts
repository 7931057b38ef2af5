/**
 * mmcheck's public API (`import { … } from 'mmcheck'`): what a model author writes models with,
 * and what a tool embedding the checker calls. Kernel primitives are under 'mmcheck/kernel',
 * reusable properties under 'mmcheck/properties', the shipped models under 'mmcheck/models'.
 * Everything else in dist/ is internal and may change without notice.
 */

// Writing a model: the model, its threads and steps, shared-state access and footprints.
export {
  defineModel,
  type CostScenario,
  type Model,
  type ParamSpec,
  type Program,
  type VariantSpec,
  type Verdict,
} from './core/model.js';
export { thread, type ThreadDef } from './core/thread.js';
export {
  andThen,
  step,
  type LockAnnotation,
  type LockOp,
  type Step,
  type StepCost,
  type StepOutcome,
  type StepSpec,
  type StepViolation,
} from './core/step.js';
export { awaitUntil, jump, load, local, store, type PathOf } from './core/ops.js';
export { reads, rmw, writes, type Access } from './core/access.js';
export { getIn, locOf, setIn, type Path } from './core/path.js';
export { permuteMask, permuteTid, type Symmetry } from './core/symmetry.js';

// Properties.
export {
  assertion,
  deadlockFree,
  DEADLOCK_FREE,
  endState,
  invariant,
  type Property,
  type PropertyKind,
  type StateView,
  type ThreadView,
} from './core/property.js';

// Building and checking an instance.
export { ModelError } from './core/errors.js';
export { defaultVariant, instantiate, type Instance } from './core/instantiate.js';
export { check, type CheckOptions, type CheckRun } from './check.js';
export { explore, STRATEGIES, type ExploreOptions, type SearchStrategy } from './explore/explore.js';
export { meetsExpectation, verdicts, type Outcome, type PropertyVerdict } from './explore/results/verdicts.js';
export { assertSymmetry, checkSymmetry, type SymmetryCheck } from './explore/sanity/symmetry-check.js';
export {
  lockOrder,
  type EdgeWitness,
  type LockCycle,
  type LockEdge,
  type LockOrderOptions,
  type LockOrderReport,
} from './analysis/lock-order.js';
export type {
  Change,
  IncompleteReason,
  Limits,
  Progress,
  SearchOptions,
  SearchResult,
  Stats,
  Strategy,
  Trace,
  TraceStep,
  Violation,
} from './explore/results/result.js';

// Reports: text, JSON and JUnit renderers over a search result.
export { runOk, runIncomplete, type RunReport } from './report/run.js';
export type { RunContext } from './report/format.js';
export { renderSummary, renderVerdicts } from './report/summary.js';
export { renderCounterexample, renderSwimlanes, type SwimlaneOptions } from './report/swimlanes.js';
export { renderLockOrder } from './report/lock-order.js';
export {
  JSON_FORMAT_VERSION,
  renderJson,
  type JsonChange,
  type JsonCounterexample,
  type JsonReport,
  type JsonRun,
  type JsonTrace,
  type JsonVerdict,
  type JsonViolation,
} from './report/json.js';
export { renderJunit } from './report/junit.js';
export { chalkPalette, plainPalette, type Palette } from './report/palette.js';
