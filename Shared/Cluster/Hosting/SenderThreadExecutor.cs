using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// Runs an actor's mailbox on the thread that sent it a message, where that thread has opted in (<see cref="RunHere"/>),
/// and on the thread pool otherwise. For the parameter server, whose shard results arrive on the thread that computed
/// them (a worker of this process) or read them (a socket's reader): waking a thread of its own for each cost ~0.3 ms of a
/// ~2.8-ms step on two cores (docs/benchmarks/cluster-handoffs.md), since the woken thread waits for a core the compute
/// threads hold. Messages from other actors (the coordinator's plans) go through the pool, so no actor's message is
/// handled inside another actor's. A mailbox scheduled again while this thread already runs one (re-registered after its
/// run, or another mailbox of this dispatcher told from inside it) runs after it on the same thread: the stack stays flat,
/// and that queue holds at most one entry per mailbox of this dispatcher, since Akka schedules a mailbox once at a time.
/// The actor keeps Akka's guarantee: one message at a time, in order, whatever thread runs it.
/// </summary>
public sealed class SenderThreadExecutor(string id) : ExecutorService(id)
{
    [ThreadStatic] private static int _optedIn;
    [ThreadStatic] private static Queue<IRunnable>? _pending;
    [ThreadStatic] private static bool _running;

    /// <summary>
    /// Tells <paramref name="actor"/> <paramref name="message"/>, letting the mailboxes of this executor that the Tell
    /// schedules run on this thread before it returns.
    /// </summary>
    public static void RunHere(IActorRef actor, object message)
    {
        _optedIn++;
        try
        {
            actor.Tell(message);
        }
        finally
        {
            _optedIn--;
        }
    }

    public override void Execute(IRunnable run)
    {
        if (_optedIn == 0 && !_running)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static r => r.Run(), run, preferLocal: false);
            return;
        }
        var pending = _pending ??= new Queue<IRunnable>();
        pending.Enqueue(run);
        if (_running) return;
        _running = true;
        try
        {
            while (pending.TryDequeue(out var next)) next.Run();
        }
        finally
        {
            _running = false;
        }
    }

    public override void Shutdown()
    {
    }
}

/// <summary>Produces <see cref="SenderThreadExecutor"/> for a dispatcher whose executor names this type.</summary>
public sealed class SenderThreadExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => new SenderThreadExecutor(id);
}
