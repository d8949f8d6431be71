// Three test tiers, told apart by file name (see docs/testing.md):
//   *.spec.ts           pure unit tests, no I/O
//   *.int-spec.ts       integration tests on real PostgreSQL and Kafka
//   test/e2e/*.e2e-spec.ts  the running services over real HTTP
// `npm test` runs all three; infrastructure is found once by test/support/global-setup.ts.
const swc = ['@swc/jest', { swcrc: true }];
const moduleNameMapper = {
  '^@plafond/contracts$': '<rootDir>/libs/contracts/src',
  '^@plafond/ledger$': '<rootDir>/libs/ledger/src',
  '^@plafond/messaging$': '<rootDir>/libs/messaging/src',
  '^@plafond/platform$': '<rootDir>/libs/platform/src',
  '^@plafond/testing$': '<rootDir>/test/support',
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.kafka/'],
};

// Global setup/teardown hang on the projects that need PostgreSQL and Kafka, not on the root:
// Jest runs a project's global hooks only when at least one of its tests is selected, so a
// unit-only run (`--selectProjects unit`, or a path with only *.spec.ts) starts no infrastructure.
// Both projects name the same file and Jest runs it once.
const infrastructure = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

module.exports = {
  // Jest 30 reads testTimeout from the root only; unit tests finish far below it.
  testTimeout: 180_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'],
    },
    {
      ...common,
      ...infrastructure,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
    },
    {
      ...common,
      ...infrastructure,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
