/**
 * The public API ('mmcheck' and its subpaths, see docs/package.md), as a list: adding or removing
 * a name is a decision about what users may import, made here on purpose, never by accident.
 */
import { describe, expect, test } from '@jest/globals';
import * as api from '../src/index.js';
import * as kernel from '../src/kernel/index.js';
import * as properties from '../properties/index.js';

describe('public API', () => {
  test("'mmcheck' exports exactly these values (types are checked by test/package)", () => {
    expect(Object.keys(api).sort()).toEqual([
      'DEADLOCK_FREE',
      'JSON_FORMAT_VERSION',
      'ModelError',
      'STRATEGIES',
      'andThen',
      'assertSymmetry',
      'assertion',
      'awaitUntil',
      'chalkPalette',
      'check',
      'checkSymmetry',
      'deadlockFree',
      'defaultVariant',
      'defineModel',
      'endState',
      'explore',
      'getIn',
      'instantiate',
      'invariant',
      'jump',
      'load',
      'locOf',
      'local',
      'lockOrder',
      'meetsExpectation',
      'permuteMask',
      'permuteTid',
      'plainPalette',
      'reads',
      'renderCounterexample',
      'renderJson',
      'renderJunit',
      'renderLockOrder',
      'renderSummary',
      'renderSwimlanes',
      'renderVerdicts',
      'rmw',
      'runIncomplete',
      'runOk',
      'setIn',
      'step',
      'store',
      'thread',
      'verdicts',
      'writes',
    ]);
  });

  test("'mmcheck/kernel' has the kernel primitives, none of them also in 'mmcheck'", () => {
    for (const name of ['spinLock', 'spinUnlock', 'downRead', 'folioGet', 'ptepGet', 'vmaLoad', 'xasLoad', 'tlbFlush'])
      expect(typeof (kernel as Record<string, unknown>)[name]).toBe('function');
    expect(Object.keys(kernel).filter((k) => k in api)).toEqual([]);
  });

  test("'mmcheck/properties' has the reusable properties", () => {
    expect(Object.keys(properties).sort()).toEqual([
      'FROZEN_NOT_IN_USE',
      'MIGRATION_ENTRY_LOCKED',
      'NO_DANGLING',
      'NO_PTE_MAPS_FREED',
      'REFCOUNT_BALANCED',
      'REMOVE_WALK_COMPLETE',
      'frozenRefNotInUse',
      'migrationEntryLocked',
      'migrationEntryToPage',
      'noDanglingMigrationEntry',
      'noPteMapsFreedPage',
      'refcountBalanced',
      'refcountBugs',
      'removeWalkComplete',
    ]);
  });
});
