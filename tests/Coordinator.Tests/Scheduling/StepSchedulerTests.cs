using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Coordinator.Scheduling;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Scheduling;

/// <summary>
/// The scheduler as plain state over a training set of 100 rows in batches of 10 (10 batches an epoch), its
/// loss normalizer the row count: which rows go to which worker, and what becomes of a shard that does not come in.
/// </summary>
public sealed class StepSchedulerTests
{
    private static StepScheduler Scheduler(ShardSizing sizing = ShardSizing.Throughput, bool shuffle = false, bool synchronisedBatchNorm = false,
        int maxAttempts = 5, int? logicalShards = null) =>
        Schedulers.Create(sizing, shuffle, synchronisedBatchNorm, maxAttempts, logicalShards);

    private static List<WorkerEntry> Workers(params double[] throughputs) => Schedulers.Workers(throughputs);

    /// <summary>The step and attempt of each plan sent.</summary>
    private static IEnumerable<(long Step, int Attempt)> Plans(IEnumerable<PlanDispatch> dispatches) =>
        dispatches.Select(d => (d.Begin.Step, d.Begin.Attempt));

    private static IEnumerable<(string Worker, int Shard, int Offset, string Rows)> Orders(PlanDispatch dispatch) =>
        dispatch.Shards.Select(a => (a.Worker.Id, a.Shard.ShardId, a.Shard.RowOffset, string.Join(",", a.Shard.Indices)));

    [Fact]
    public void A_step_is_cut_across_three_workers_in_proportion_to_their_throughput()
    {
        var scheduler = Scheduler();

        var dispatch = Assert.Single(scheduler.Start(3, Workers(10, 20, 20), lookAhead: 0));

        Assert.Equal((3L, 0), (dispatch.Begin.Step, dispatch.Begin.Attempt));
        Assert.Equal([new Shard(0, 0, 2), new Shard(1, 2, 4), new Shard(2, 6, 4)], dispatch.Begin.Shards);
        Assert.Equal([("w1", 0, 0, "30,31"), ("w2", 1, 2, "32,33,34,35"), ("w3", 2, 6, "36,37,38,39")], Orders(dispatch));
        Assert.All(dispatch.Shards, a => Assert.Equal((3L, 0, 10), (a.Shard.Step, a.Shard.Attempt, a.Shard.Normalizer)));
        Assert.Equal(["w1", "w2", "w3"], scheduler.Current!.AssignedTo);
    }

    [Fact]
    public void Equal_sizing_ignores_throughput_and_gives_the_rounding_row_to_the_first_worker()
    {
        var dispatch = Assert.Single(Scheduler(ShardSizing.Equal).Start(0, Workers(10, 20, 20), lookAhead: 0));

        Assert.Equal([new Shard(0, 0, 4), new Shard(1, 4, 3), new Shard(2, 7, 3)], dispatch.Begin.Shards);
    }

    [Fact]
    public void The_step_after_is_sent_ahead_and_becomes_current_without_being_sent_again()
    {
        var scheduler = Scheduler(ShardSizing.Equal);
        var workers = Workers(1, 1);

        var first = scheduler.Start(0, workers, lookAhead: 1);
        var second = scheduler.Start(1, workers, lookAhead: 1);

        Assert.Equal([(0L, 0), (1L, 0)], Plans(first));
        Assert.Equal([(2L, 0)], Plans(second));
        Assert.Equal((1L, 0), (scheduler.Current!.Step, scheduler.Current.Attempt));
        Assert.Equal("10,11,12,13,14,15,16,17,18,19", string.Join(",", scheduler.Current.Batch));
    }

    [Fact]
    public void Two_steps_ahead_each_step_sends_only_the_newest_and_a_lost_worker_replans_every_plan_out_that_it_had()
    {
        var scheduler = Scheduler(ShardSizing.Equal);
        var workers = Workers(1, 1);

        var first = scheduler.Start(0, workers, lookAhead: 2);
        var second = scheduler.Start(1, workers, lookAhead: 2);
        var afterLoss = scheduler.Start(2, workers.Take(1).ToList(), lookAhead: 2);
        var stopping = scheduler.Start(3, workers.Take(1).ToList(), lookAhead: 0);

        Assert.Equal([(0L, 0), (1L, 0), (2L, 0)], Plans(first));
        Assert.Equal([(3L, 0)], Plans(second));
        Assert.Equal([(2L, 1), (3L, 1), (4L, 0)], Plans(afterLoss));
        Assert.Empty(stopping);
        Assert.Equal((3L, 1), (scheduler.Current!.Step, scheduler.Current.Attempt));
        Assert.True(scheduler.SentAhead(4));
        Assert.Equal("30,31,32,33,34,35,36,37,38,39", string.Join(",", scheduler.Current.Batch));
    }

    [Fact]
    public void Only_the_step_after_the_current_one_is_sent_ahead_until_it_starts_and_none_once_the_run_ended()
    {
        var scheduler = Scheduler(ShardSizing.Equal);
        var workers = Workers(1, 1);

        scheduler.Start(0, workers, lookAhead: 1);
        var (beforeStart, otherStep) = (scheduler.SentAhead(1), scheduler.SentAhead(2));
        scheduler.Start(1, workers, lookAhead: 0);
        var afterStart = scheduler.SentAhead(1);
        scheduler.Start(2, workers, lookAhead: 1);
        scheduler.End();

        Assert.Equal((true, false, false, false), (beforeStart, otherStep, afterStart, scheduler.SentAhead(3)));
    }

    [Fact]
    public void A_step_sent_ahead_to_a_worker_since_lost_is_planned_again_as_a_new_attempt_over_the_same_batch()
    {
        var scheduler = Scheduler(ShardSizing.Equal, shuffle: true);
        var workers = Workers(1, 1, 1);
        var ahead = scheduler.Start(0, workers, lookAhead: 1)[1];

        var again = Assert.Single(scheduler.Start(1, workers.Take(1).ToList(), lookAhead: 0));

        Assert.Equal((1L, 1), (again.Begin.Step, again.Begin.Attempt));
        var rows = Assert.Single(again.Shards).Shard.Indices;
        Assert.Equal(ahead.Shards.SelectMany(a => a.Shard.Indices), rows);
        Assert.Equal(new BatchSampler(100, 10, true, 7).Batch(0, 1).ToArray(), rows);
        Assert.NotEqual(Enumerable.Range(10, 10), rows);
    }

    [Fact]
    public void A_failed_shard_goes_to_the_fastest_ready_worker_other_than_its_own()
    {
        var scheduler = Scheduler();
        var workers = Workers(5, 20, 10);
        var sent = scheduler.Start(0, workers, lookAhead: 0)[0].Shards[1].Shard;

        var decision = scheduler.Retry(0, 0, 1, "w2", "its worker was lost", workers);

        var reassigned = Assert.IsType<RetryDecision.Reassign>(decision).Assignment;
        Assert.Equal("w3", reassigned.Worker.Id);
        Assert.Equal((sent.Step, sent.Attempt, sent.ShardId, sent.RowOffset), (reassigned.Shard.Step, reassigned.Shard.Attempt,
            reassigned.Shard.ShardId, reassigned.Shard.RowOffset));
        Assert.Equal(sent.Indices, reassigned.Shard.Indices);
        Assert.Equal("w3", scheduler.Current!.AssignedTo[1]);
        Assert.Equal(1, scheduler.Reassigned);
    }

    [Fact]
    public void With_only_the_failing_worker_ready_its_shard_goes_back_to_it()
    {
        var scheduler = Scheduler();
        var workers = Workers(5);
        scheduler.Start(0, workers, lookAhead: 0);

        var decision = scheduler.Retry(0, 0, 0, "w1", "boom", workers);

        Assert.Equal("w1", Assert.IsType<RetryDecision.Reassign>(decision).Assignment.Worker.Id);
    }

    [Fact]
    public void A_report_on_another_attempt_or_on_a_shard_already_in_is_stale()
    {
        var scheduler = Scheduler();
        var workers = Workers(1, 1);
        scheduler.Start(0, workers, lookAhead: 0);
        Assert.True(scheduler.Arrived(new ShardArrived(0, 0, 0, "w1", 5, 0.2)));
        Assert.False(scheduler.Arrived(new ShardArrived(0, 1, 1, "w2", 5, 0.9)));

        Assert.IsType<RetryDecision.Stale>(scheduler.Retry(0, 0, 0, "w1", "late", workers));
        Assert.IsType<RetryDecision.Stale>(scheduler.Retry(0, 1, 1, "w2", "boom", workers));
        Assert.IsType<RetryDecision.Stale>(scheduler.Retry(1, 0, 1, "w2", "boom", workers));
        Assert.Equal([true, false], scheduler.Current!.Arrived);
        Assert.Equal(0.2, scheduler.Current.SlowestComputeSeconds);
        Assert.Equal(0, scheduler.Reassigned);
    }

    [Fact]
    public void Shards_that_fail_more_than_max_attempts_times_each_end_the_run()
    {
        var scheduler = Scheduler(maxAttempts: 2);
        var workers = Workers(1);
        scheduler.Start(0, workers, lookAhead: 0);

        var decisions = Enumerable.Range(0, 3).Select(_ => scheduler.Retry(0, 0, 0, "w1", "boom", workers)).ToList();

        Assert.All(decisions.Take(2), d => Assert.IsType<RetryDecision.Reassign>(d));
        Assert.Equal("step 1: shards failed 3 times; last: shard 0 on worker w1: boom", Assert.IsType<RetryDecision.GiveUp>(decisions[2]).Failure);
    }

    [Fact]
    public void An_applied_step_forgives_its_failures_so_the_next_step_has_its_own_attempts()
    {
        var scheduler = Scheduler(maxAttempts: 1);
        var workers = Workers(1);
        scheduler.Start(0, workers, lookAhead: 0);
        Assert.IsType<RetryDecision.Reassign>(scheduler.Retry(0, 0, 0, "w1", "boom", workers));

        Assert.Null(scheduler.Applied(1));
        Assert.Same(scheduler.Current, scheduler.Applied(0));
        scheduler.Start(1, workers, lookAhead: 0);

        Assert.IsType<RetryDecision.Reassign>(scheduler.Retry(1, 0, 0, "w1", "boom", workers));
    }

    [Fact]
    public void With_synchronised_batch_norm_a_failed_shard_goes_to_another_worker_in_the_same_plan()
    {
        // The other shards of the step wait for its statistics, and those already offered are kept: the step's plan stays.
        var scheduler = Scheduler(synchronisedBatchNorm: true, logicalShards: 2);
        var workers = Workers(1, 1);
        scheduler.Start(0, workers, lookAhead: 0);

        var decision = Assert.IsType<RetryDecision.Reassign>(scheduler.Retry(0, 0, 1, "w2", "its worker was lost", workers));

        Assert.Equal(("w1", 0L, 0, 1), (decision.Assignment.Worker.Id, decision.Assignment.Shard.Step, decision.Assignment.Shard.Attempt,
            decision.Assignment.Shard.ShardId));
        Assert.Equal(["w1", "w1"], scheduler.Current!.AssignedTo);
        Assert.Equal((0L, 1L), (scheduler.Restarts, scheduler.Reassigned));
    }

    [Fact]
    public void A_plan_sent_ahead_whose_worker_is_gone_is_cut_again_as_a_new_attempt_and_counted()
    {
        var scheduler = Scheduler(logicalShards: 2);
        var both = Workers(1, 1);
        scheduler.Start(0, both, lookAhead: 1);
        scheduler.Applied(0);

        var again = scheduler.Start(1, both.Take(1).ToList(), lookAhead: 0);

        Assert.Equal([(1L, 1)], Plans(again));
        Assert.Equal(["w1", "w1"], scheduler.Current!.AssignedTo);
        Assert.Equal(1L, scheduler.Restarts);
    }

    [Fact]
    public void With_no_worker_ready_a_failed_shard_waits_for_one()
    {
        var scheduler = Scheduler();
        scheduler.Start(0, Workers(1), lookAhead: 0);

        Assert.IsType<RetryDecision.WaitForWorker>(scheduler.Retry(0, 0, 0, "w1", "its worker was lost", []));
    }

    [Fact]
    public void NaN_from_a_second_worker_on_the_same_shard_means_the_model_diverged()
    {
        var scheduler = Scheduler(ShardSizing.Equal);
        var workers = Workers(1, 1);
        scheduler.Start(12, workers, lookAhead: 0);

        var first = scheduler.Rejected(new ShardRejected(12, 0, 0, "w1", "NaN in the gradients", ShardVerdict.NotFinite), workers);
        var second = scheduler.Rejected(new ShardRejected(12, 0, 0, "w2", "NaN in the gradients", ShardVerdict.NotFinite), workers);

        Assert.Equal("w2", Assert.IsType<RetryDecision.Reassign>(first).Assignment.Worker.Id);
        Assert.Equal("the loss or a gradient became NaN/Inf at step 13 (epoch 2, batch 3) on w1 and w2; the weights of step 12 are kept",
            Assert.IsType<RetryDecision.GiveUp>(second).Failure);
    }

    [Fact]
    public void NaN_from_the_only_worker_means_the_model_diverged_and_a_malformed_result_is_only_retried()
    {
        var workers = Workers(1);
        var malformed = Scheduler();
        malformed.Start(0, workers, lookAhead: 0);
        var diverged = Scheduler();
        diverged.Start(0, workers, lookAhead: 0);

        Assert.IsType<RetryDecision.Reassign>(malformed.Rejected(new ShardRejected(0, 0, 0, "w1", "wrong length", ShardVerdict.Rejected), workers));
        Assert.Equal("the loss or a gradient became NaN/Inf at step 1 (epoch 1, batch 1) on w1; the weights of step 0 are kept",
            Assert.IsType<RetryDecision.GiveUp>(diverged.Rejected(new ShardRejected(0, 0, 0, "w1", "NaN", ShardVerdict.NotFinite), workers)).Failure);
    }

    [Fact]
    public void An_outlier_that_had_arrived_is_out_again_and_goes_to_another_worker()
    {
        var scheduler = Scheduler(ShardSizing.Equal);
        var workers = Workers(1, 1, 1);
        scheduler.Start(4, workers, lookAhead: 0);
        Assert.True(scheduler.Arrived(new ShardArrived(4, 0, 1, "w2", 3, 0.1)));

        var decision = scheduler.Rejected(new ShardRejected(4, 0, 1, "w2", "its gradient norm is 1000 times its step's others",
            ShardVerdict.Outlier), workers);

        var reassign = Assert.IsType<RetryDecision.Reassign>(decision);
        Assert.NotEqual("w2", reassign.Assignment.Worker.Id);
        Assert.Equal((4L, 0, 1), (reassign.Assignment.Shard.Step, reassign.Assignment.Shard.Attempt, reassign.Assignment.Shard.ShardId));
        Assert.False(scheduler.Current!.Arrived[1]);
        Assert.Equal(reassign.Assignment.Worker.Id, scheduler.Current.AssignedTo[1]);
    }

    [Fact]
    public void Each_plan_tells_the_parameter_server_which_worker_computes_each_shard()
    {
        var dispatch = Assert.Single(Scheduler().Start(0, Workers(1, 1, 1), lookAhead: 0));

        Assert.Equal(["w1", "w2", "w3"], dispatch.Begin.AssignedTo);
    }

    [Fact]
    public void After_the_run_ends_nothing_is_current_and_every_report_is_stale()
    {
        var scheduler = Scheduler();
        var workers = Workers(1);
        scheduler.Start(0, workers, lookAhead: 1);

        scheduler.End();

        Assert.Null(scheduler.Current);
        Assert.IsType<RetryDecision.Stale>(scheduler.Retry(0, 0, 0, "w1", "boom", workers));
        Assert.Null(scheduler.Applied(0));
    }
}
