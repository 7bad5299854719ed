// Concurrency groups and dependencies end to end on real Postgres, two dispatchers sharing it.
import { groupsAndDependenciesSuite } from '../test-support/groups-deps-suite.ts';

groupsAndDependenciesSuite('postgres');
