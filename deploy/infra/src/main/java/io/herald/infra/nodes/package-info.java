/**
 * Herald nodes as processes of this machine ({@link io.herald.infra.nodes.NodeProcesses}) and the POSIX signals an
 * operator sends them ({@link io.herald.infra.nodes.Signals}). The node's main class is named by string and its
 * classpath is passed in, so launchers (bin/herald cluster, the chaos harness in load-tests) need no Herald service
 * code on their own classpath.
 */
package io.herald.infra.nodes;
