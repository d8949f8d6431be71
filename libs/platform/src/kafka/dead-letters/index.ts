export {
  DEAD_LETTER_LIST_LIMITS,
  DeadLetters,
  bytesJson,
  describeDeadLetterError,
  type BytesJson,
  type DeadLetterError,
  type DeadLetterInput,
  type DeadLetterJson,
  type DeadLetterPage,
  type DeadLetterSql,
  type DeadLetterTransactions,
  type DeadLetterView,
} from './dead-letters';
export {
  DEAD_LETTERS_TABLE,
  deadLetterTableDownStatements,
  deadLetterTableStatements,
  deadLettersTable,
} from './dead-letters.schema';
export { deadLettersProvider } from './dead-letters.provider';
