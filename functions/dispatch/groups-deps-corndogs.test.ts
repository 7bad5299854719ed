// Concurrency groups and dependencies end to end with a Corndogs queue (waiting tasks, releases, cancels).
import { groupsAndDependenciesSuite } from '../test-support/groups-deps-suite.ts';

groupsAndDependenciesSuite(
  'postgres+corndogs',
  new Set([
    'a group of 1 runs 5 jobs one at a time, in submit order; the last one sees its place fall',
    'supersede: a newer job cancels the pending ones, naming itself; the running one finishes',
    'a dependency chain A → B → C runs in order',
  ]),
);
