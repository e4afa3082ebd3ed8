using DistTrainer.Coordinator.ParameterServer.Ranges;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer.Ranges;

public sealed class RangeCrewTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Every_piece_runs_once_per_run_and_piece_zero_on_the_callers_thread(int pieces)
    {
        using var crew = new RangeCrew(pieces, TimeSpan.FromSeconds(10));
        var runs = new int[pieces];
        var threads = new int[pieces];
        void Work(int piece)
        {
            Interlocked.Increment(ref runs[piece]);
            threads[piece] = Environment.CurrentManagedThreadId;
        }

        for (int i = 0; i < 3; i++) crew.Run(Work);

        Assert.All(runs, count => Assert.Equal(3, count));
        Assert.Equal(Environment.CurrentManagedThreadId, threads[0]);
        Assert.Equal(pieces, threads.Distinct().Count());
    }

    [Fact]
    public void A_failing_piece_fails_the_run_after_every_piece_is_done_and_the_next_run_works()
    {
        using var crew = new RangeCrew(3, TimeSpan.FromSeconds(10));
        var done = new int[3];

        var error = Assert.Throws<InvalidOperationException>(() => crew.Run(piece =>
        {
            if (piece == 2) throw new ArithmeticException("range 2 broke");
            Thread.Sleep(50);
            done[piece] = 1;
        }));

        Assert.Equal("a parameter range failed: range 2 broke", error.Message);
        Assert.Equal([1, 1, 0], done);
        crew.Run(piece => done[piece] = 2);
        Assert.Equal([2, 2, 2], done);
    }

    [Fact]
    public void A_piece_past_the_timeout_fails_this_run_and_every_later_one()
    {
        using var release = new ManualResetEventSlim();
        using var crew = new RangeCrew(2, TimeSpan.FromMilliseconds(200));

        var error = Assert.Throws<TimeoutException>(() => crew.Run(piece =>
        {
            if (piece == 1) release.Wait(TimeSpan.FromSeconds(10));
        }));
        release.Set();

        Assert.Equal("a parameter range was not updated within 0.2 s; its weights can no longer be trusted", error.Message);
        Assert.Equal(error.Message, Assert.Throws<InvalidOperationException>(() => crew.Run(_ => { })).Message);
    }
}
