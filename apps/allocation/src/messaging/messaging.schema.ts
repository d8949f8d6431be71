// Tables of the messaging edge (in the AllocationTables migration): the dead letters, whose DDL is
// @plafond/platform's, the same text as when it was written here. The inbox and the relay
// checkpoint are the ledger's own tables.
export {
  DEAD_LETTERS_TABLE,
  deadLetterTableDownStatements as messagingTableDownStatements,
  deadLetterTableStatements as messagingTableStatements,
} from '@plafond/platform';
