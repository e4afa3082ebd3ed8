using DistTrainer.Coordinator.Standby;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

/// <summary>A takeover resumes from the newest state the standby has: the --save file or the snapshot file, by the step each holds.</summary>
public sealed class ResumePointTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(100, 50, "save")]
    [InlineData(50, 100, "state")]
    [InlineData(100, 100, "save")]
    public void The_newer_checkpoint_by_its_step_is_resumed_from(long saveStep, long stateStep, string expected)
    {
        string save = Write("save", saveStep), state = Write("state", stateStep);

        var newest = ResumePoint.Newest([save, state], Logger.None);

        Assert.Equal(_dir.File(expected), newest!.Path);
        Assert.Equal(Math.Max(saveStep, stateStep), newest.Step);
    }

    [Fact]
    public void A_missing_save_file_leaves_the_snapshot_file()
    {
        string state = Write("state", 150);

        var newest = ResumePoint.Newest([_dir.File("save"), state], Logger.None);

        Assert.Equal(new ResumePoint(state, 150), newest);
    }

    [Fact]
    public void A_damaged_file_is_passed_over_for_the_one_that_can_be_read()
    {
        string save = Write("save", 50);
        string state = _dir.File("state");
        File.WriteAllBytes(state, [1, 2, 3]);

        var newest = ResumePoint.Newest([save, state], Logger.None);

        Assert.Equal(new ResumePoint(save, 50), newest);
    }

    [Fact]
    public void Without_any_file_there_is_nothing_to_resume_from() =>
        Assert.Null(ResumePoint.Newest([_dir.File("save"), null], Logger.None));

    private string Write(string name, long step)
    {
        string path = _dir.File(name);
        var metadata = new Dictionary<string, string> { ["optimizer"] = "sgd", ["step"] = step.ToString() };
        ModelCheckpoint.Write(path, new CheckpointContent([SafeTensor.FromFloats("0.bias", [2], [1f, 2f])], metadata, step));
        return path;
    }
}
