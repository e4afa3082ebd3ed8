using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol.Tests;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Cluster.Tests.Serialization;

/// <summary>Two actor systems over real remoting on loopback; every local message is serialized too.</summary>
public sealed class ActorRefSurrogateTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config SerializeAll = ConfigurationFactory.ParseString("akka.actor.serialize-messages = on");

    private readonly ActorSystem _other = StartNode();

    public ActorRefSurrogateTests() : base(StartNode())
    {
    }

    private static ActorSystem StartNode() =>
        ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0), Logger.None, SerializeAll);

    /// <summary>Answers an assignment through the ref inside it, saying which path it resolved.</summary>
    private sealed class Acknowledger : ReceiveActor
    {
        public Acknowledger() =>
            Receive<Assignment>(assignment => assignment.ReplyTo!.Tell(new Acknowledged(assignment.Step, assignment.ReplyTo!.Path.ToString())));
    }

    [Fact]
    public void A_reply_goes_back_through_the_ref_carried_in_a_message()
    {
        _other.ActorOf(Props.Create(() => new Acknowledger()), "acknowledger");
        var otherAddress = ((ExtendedActorSystem)_other).Provider.DefaultAddress;
        var ownAddress = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
        Assert.NotEqual(ownAddress, otherAddress);
        var replyTo = CreateTestProbe();

        Sys.ActorSelection(new RootActorPath(otherAddress) / "user" / "acknowledger")
            .Tell(new Assignment(11, "w", [1f], [], [], [], null, replyTo.Ref), ActorRefs.NoSender);

        var reply = replyTo.ExpectMsg<Acknowledged>(TimeSpan.FromSeconds(10));
        Assert.Equal(11, reply.Step);
        Assert.Equal(replyTo.Ref.Path.ToStringWithAddress(ownAddress), reply.By);
    }

    protected override void AfterAll()
    {
        Shutdown(_other);
        base.AfterAll();
    }
}
