using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

/// <summary>
/// The parameter server's dispatcher: a message told inside <see cref="SenderThreadExecutor.RunHere"/> is handled on the
/// telling thread, any other on the pool, and the actor still takes one message at a time, in each sender's order.
/// </summary>
public sealed class SenderThreadExecutorTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ActorSystem _system = ActorSystem.Create("sender-thread", ConfigurationFactory.ParseString($$"""
        akka.actor.parameter-server-dispatcher {
          type = Dispatcher
          executor = "{{typeof(SenderThreadExecutorConfigurator).AssemblyQualifiedName}}"
          throughput = 100
        }
        """));

    public void Dispose() => _system.Dispose();

    private IActorRef Recorder(Recording recording) =>
        _system.ActorOf(Props.Create(() => new RecordingActor(recording)).WithDispatcher(Dispatchers.ParameterServer));

    /// <summary>
    /// An actor that has handled a first message on the pool and let go of its mailbox: a message told while the pool
    /// thread still held it (for microseconds) would be handled there.
    /// </summary>
    private IActorRef IdleAfterOneMessage(Recording recording)
    {
        var actor = Recorder(recording);
        actor.Tell("warm-up");
        Assert.True(recording.WaitFor(1, Wait));
        Thread.Sleep(100);
        return actor;
    }

    [Fact]
    public void A_message_told_inside_RunHere_is_handled_on_the_telling_thread_before_RunHere_returns()
    {
        var recording = new Recording();
        var actor = IdleAfterOneMessage(recording);

        int here = Environment.CurrentManagedThreadId;
        SenderThreadExecutor.RunHere(actor, "inline");

        Assert.Equal(2, recording.Handled.Count);
        Assert.Equal(("inline", here), recording.Handled.Last());
    }

    [Fact]
    public void A_message_told_outside_RunHere_is_handled_on_another_thread()
    {
        var recording = new Recording();
        var actor = Recorder(recording);

        actor.Tell("pooled");

        Assert.True(recording.WaitFor(1, Wait));
        Assert.NotEqual(Environment.CurrentManagedThreadId, recording.Handled.Single().Thread);
    }

    [Fact]
    public void A_message_the_actor_tells_itself_while_running_inline_follows_on_the_same_thread_after_the_current_one()
    {
        var recording = new Recording();
        var actor = IdleAfterOneMessage(recording);

        SenderThreadExecutor.RunHere(actor, "echo");

        Assert.True(recording.WaitFor(3, Wait));
        int here = Environment.CurrentManagedThreadId;
        Assert.Equal([("echo", here), ("echoed", here)], recording.Handled.Skip(1));
        Assert.Equal(1, recording.DeepestNesting);
    }

    [Fact]
    public void Many_threads_telling_inside_and_outside_RunHere_get_every_message_handled_once_one_at_a_time_in_each_ones_order()
    {
        var recording = new Recording();
        var actor = Recorder(recording);
        const int Senders = 4, Messages = 500;

        Parallel.For(0, Senders, new ParallelOptions { MaxDegreeOfParallelism = Senders }, sender =>
        {
            for (int i = 0; i < Messages; i++)
            {
                string message = $"{sender}:{i}";
                if (i % 2 == 0) SenderThreadExecutor.RunHere(actor, message);
                else actor.Tell(message);
            }
        });

        Assert.True(recording.WaitFor(Senders * Messages, Wait));
        Assert.Equal(1, recording.MostAtOnce);
        for (int sender = 0; sender < Senders; sender++)
        {
            int[] order = [.. recording.Handled.Select(h => h.Message.Split(':')).Where(p => p[0] == $"{sender}").Select(p => int.Parse(p[1]))];
            Assert.Equal(Enumerable.Range(0, Messages), order);
        }
    }

    private sealed class Recording
    {
        private int _inside, _nesting;

        public ConcurrentQueue<(string Message, int Thread)> Handled { get; } = new();

        public int MostAtOnce { get; private set; }

        public int DeepestNesting { get; private set; }

        public void Enter(string message)
        {
            MostAtOnce = Math.Max(MostAtOnce, Interlocked.Increment(ref _inside));
            DeepestNesting = Math.Max(DeepestNesting, ++_nesting);
            Handled.Enqueue((message, Environment.CurrentManagedThreadId));
        }

        public void Leave()
        {
            _nesting--;
            Interlocked.Decrement(ref _inside);
        }

        public bool WaitFor(int count, TimeSpan wait) => SpinWait.SpinUntil(() => Handled.Count >= count, wait);
    }

    private sealed class RecordingActor : ReceiveActor
    {
        public RecordingActor(Recording recording)
        {
            Receive<string>(message =>
            {
                recording.Enter(message);
                if (message == "echo") Self.Tell("echoed");
                recording.Leave();
            });
        }
    }
}
