// Three test tiers, told apart by file name (see docs/testing.md):
//   *.spec.ts           pure unit tests, no I/O
//   *.int-spec.ts       integration tests on real PostgreSQL and Kafka
//   test/e2e/*.e2e-spec.ts  the running services over real HTTP
// `npm test` runs all three; infrastructure is found once by test/support/global-setup.ts.
const swc = ['@swc/jest', { swcrc: true }];
const moduleNameMapper = {
  '^@plafond/contracts$': '<rootDir>/libs/contracts/src',
  '^@plafond/ledger$': '<rootDir>/libs/ledger/src',
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

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      testTimeout: 120_000,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      testTimeout: 180_000,
    },
  ],
};
