using DistTrainer.Worker.Compute;
using Xunit;

namespace DistTrainer.Worker.Tests.Compute;

/// <summary>The compute thread with and without a spin budget: work runs in order, on one thread, whether it arrives while the thread polls or after it blocked.</summary>
public sealed class ComputeThreadTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public async Task Work_arriving_while_the_thread_polls_and_after_it_blocked_runs_in_order_on_one_thread(int spinMs)
    {
        var thread = new ComputeThread("test compute", TimeSpan.FromMilliseconds(spinMs));
        var ran = new List<(int Work, int Thread)>();

        await thread.Run(() => Record(1)).WaitAsync(Wait);
        // Within the budget: the thread is still polling.
        await Task.Delay(2);
        var second = thread.Run(() => Record(2));
        var third = thread.Run(() => Record(3));
        await Task.WhenAll(second, third).WaitAsync(Wait);
        // Past the budget: the thread has blocked and is woken.
        await Task.Delay(spinMs + 100);
        await thread.Run(() => Record(4)).WaitAsync(Wait);

        Assert.Equal([1, 2, 3, 4], ran.Select(r => r.Work));
        Assert.Single(ran.Select(r => r.Thread).Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, ran[0].Thread);

        int Record(int work)
        {
            lock (ran) ran.Add((work, Environment.CurrentManagedThreadId));
            return work;
        }
    }

    [Fact]
    public async Task A_stopped_thread_runs_the_last_action_then_refuses_work()
    {
        var thread = new ComputeThread("test compute", TimeSpan.FromMilliseconds(20));
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        thread.Stop(last.SetResult);

        await last.Task.WaitAsync(Wait);
        var refused = await Assert.ThrowsAsync<ObjectDisposedException>(() => thread.Run(() => 1).WaitAsync(Wait));
        Assert.Contains("the compute thread has stopped", refused.Message);
    }
}
