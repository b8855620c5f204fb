/**
 * Apache Solr in SolrCloud mode for the read side (issue 16), launched like Kafka and Cassandra: {@link
 * io.herald.infra.solr.SolrNode} runs a real Solr 9 server as a child JVM, with ZooKeeper embedded or external;
 * {@link io.herald.infra.solr.SolrHttpClient} speaks its HTTP API (configsets, collections, indexing, search) with
 * the JDK's HTTP client, so that neither Solr nor SolrJ enters Herald's classpath. Configsets live in this
 * repository ({@link io.herald.infra.solr.SolrConfigset}).
 */
package io.herald.infra.solr;
