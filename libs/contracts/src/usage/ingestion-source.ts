/** CloudEvents `source` of everything the ingestion service publishes. */
export const INGESTION_EVENTS_SOURCE = '/plafond/ingestion';
