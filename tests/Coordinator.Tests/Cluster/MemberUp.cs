using Akka.Actor;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>Waits for a node to be up in its cluster, which takes the cluster's gossip and no actor of the run.</summary>
internal static class MemberUp
{
    public static void Wait(ActorSystem node, TimeSpan timeout)
    {
        var up = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(node).RegisterOnMemberUp(up.SetResult);
        if (!up.Task.Wait(timeout)) throw new TimeoutException($"node {Akka.Cluster.Cluster.Get(node).SelfAddress} was not up within {timeout.TotalSeconds:F0} s");
    }
}
