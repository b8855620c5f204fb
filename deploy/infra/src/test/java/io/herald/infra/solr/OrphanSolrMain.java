package io.herald.infra.solr;

import java.nio.file.Path;

/** Run by {@link SolrOrphanTest} in a JVM of its own: starts a Solr node, says where, then waits to be killed. */
public final class OrphanSolrMain {

    private OrphanSolrMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        SolrNode solr = SolrNode.builder().dataDir(Path.of(args[0])).build();
        solr.start();
        System.out.println("READY " + solr.baseUrl());
        System.out.flush();
        Thread.currentThread().join();
    }
}
