// Concurrency groups and dependencies end to end on embedded PGlite (one session).
import { groupsAndDependenciesSuite } from '../test-support/groups-deps-suite.ts';

groupsAndDependenciesSuite('pglite');
