/** 'mmcheck/properties': reusable properties (refcount accounting, migration entries). */
export * from './migration-entries.js';
export * from './refcount.js';
