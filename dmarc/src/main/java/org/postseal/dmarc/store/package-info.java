/**
 * The results store and the report outbox, in one database: SQLite in state-dir by default, PostgreSQL for a
 * jdbc:postgresql: URL. {@link org.postseal.dmarc.store.DatabaseResultStore} writes evaluated messages from one
 * thread behind a bounded queue; {@link org.postseal.dmarc.store.ReportOutbox} keeps built reports until each
 * destination has them. The schema is created and migrated on open from numbered SQL files.
 */
package org.postseal.dmarc.store;
