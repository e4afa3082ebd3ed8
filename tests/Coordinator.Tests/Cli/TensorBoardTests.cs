using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Tests.Cluster;
using DistTrainer.Core.Tests;
using DistTrainer.Core.Tests.Telemetry.TensorBoard;
using DistTrainer.Core.Training;
using Serilog.Core;
using Xunit;
using Tags = DistTrainer.Core.Telemetry.TensorBoard.TensorBoardTags;

namespace DistTrainer.Coordinator.Tests.Cli;

public sealed class TensorBoardTests
{
    private static readonly string[] Run =
    [
        "--layers", "linear:16:8,tanh,linear:8:4", "--optimizer", "momentum", "--lr", "0.05", "--batch-size", "20",
        "--epochs", "2", "--seed", "5", "--threads", "1", "--device", "cpu", "--train-samples", "60", "--test-samples", "30",
    ];

    private static readonly string[] Tensors = ["0.weight", "0.bias", "2.weight", "2.bias"];

    [Fact]
    public void A_local_run_s_event_file_holds_every_step_and_each_epoch_s_test_accuracy_as_the_summary_gives_it()
    {
        using var data = DataWithTestSet();
        using var dir = new TempDirectory();
        string board = Path.Combine(dir.Path, "board");

        var (exit, summary, output) = TrainRunner.Run(dir, [.. Run, "--data-dir", data.Path, "--workers", "0", "--tensorboard", board, "--histogram-every", "2"]);
        var events = EventFileReader.ReadFolder(board);

        Assert.Equal(0, exit);
        Assert.Contains($"tensorboard: events in {board}", output);
        var epochs = summary.GetProperty("epochs").EnumerateArray().ToArray();
        Assert.Equal(epochs.Select(e => (e.GetProperty("step").GetInt64(), (float)e.GetProperty("test_accuracy").GetDouble())),
            EventFileReader.Scalars(events, Tags.EpochTestAccuracy));
        Assert.Equal(epochs.Select(e => (e.GetProperty("step").GetInt64(), (float)e.GetProperty("train_loss").GetDouble())),
            EventFileReader.Scalars(events, Tags.EpochTrainLoss));
        Assert.Equal([1L, 2, 3, 4, 5, 6], EventFileReader.Scalars(events, Tags.StepLoss).Select(s => s.Step));
        Assert.Equal(Enumerable.Repeat(0.05f, 6), EventFileReader.Scalars(events, Tags.LearningRate).Select(s => s.Value));
        Assert.Empty(EventFileReader.Scalars(events, Tags.StepMilliseconds));
        foreach (var tensor in Tensors)
        {
            Assert.Equal([2L, 4, 6], EventFileReader.Histograms(events, Tags.Gradients(tensor)).Select(h => h.Step));
            Assert.Equal([2L, 4, 6], EventFileReader.Histograms(events, Tags.Weights(tensor)).Select(h => h.Step));
        }
        Assert.Equal(8 * 16, EventFileReader.Histograms(events, Tags.Weights("0.weight"))[0].Histogram.Count);
    }

    [Fact]
    public void A_corrupted_byte_of_a_run_s_event_file_is_detected()
    {
        using var data = DataWithTestSet();
        using var dir = new TempDirectory();
        using (var run = TrainingRun.Prepare(TrainArguments.Parse([.. Run, "--data-dir", data.Path, "--workers", "0", "--tensorboard", dir.Path]), Logger.None))
            run.Execute(new TrainingRecorder(), Logger.None, CancellationToken.None);
        string file = Directory.GetFiles(dir.Path).Single();
        byte[] bytes = File.ReadAllBytes(file);
        EventFileReader.Records(bytes);

        bytes[bytes.Length / 2] ^= 0x01;

        Assert.Throws<InvalidDataException>(() => EventFileReader.Records(bytes));
    }

    [Fact]
    public void A_cluster_run_s_event_file_holds_the_step_time_split_the_workers_and_the_parameter_server_s_histograms()
    {
        using var data = DataWithTestSet();
        using var board = new TempDirectory();
        var recorder = new TrainingRecorder();
        var options = TrainArguments.Parse([.. Run, "--data-dir", data.Path, "--workers", "2", "--tensorboard", board.Path, "--histogram-every", "3"]);
        using (var run = TrainingRun.Prepare(options, Logger.None))
            run.Execute(recorder, Logger.None, CancellationToken.None);
        var events = EventFileReader.ReadFolder(board.Path);

        Assert.Equal(recorder.Epochs.Select(e => (e.Step, (float)e.TestAccuracy!.Value)), EventFileReader.Scalars(events, Tags.EpochTestAccuracy));
        Assert.Equal(recorder.Steps.Select(s => (s.Step, (float)s.Loss)), EventFileReader.Scalars(events, Tags.StepLoss));
        Assert.Equal([1L, 2, 3, 4, 5, 6], EventFileReader.Scalars(events, Tags.StepMilliseconds).Select(s => s.Step));
        Assert.All(EventFileReader.Scalars(events, Tags.WorkersReady), s => Assert.Equal(2f, s.Value));
        Assert.All(EventFileReader.Scalars(events, Tags.ComputeMilliseconds), s => Assert.True(s.Value > 0, $"step {s.Step}"));
        foreach (var tag in new[] { Tags.CommunicationMilliseconds, Tags.ParameterServerMilliseconds, Tags.ShardsReassigned, Tags.WorkersLost })
            Assert.Equal(6, EventFileReader.Scalars(events, tag).Count);
        Assert.Equal([3L, 6], EventFileReader.Histograms(events, Tags.Weights("2.weight")).Select(h => h.Step));
        Assert.Equal([3L, 6], EventFileReader.Histograms(events, Tags.Gradients("0.weight")).Select(h => h.Step));
    }

    /// <summary>The synthetic training set, and the same samples again as the test set.</summary>
    private static TempDirectory DataWithTestSet()
    {
        var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);
        File.Copy(data.File("train-images-idx3-ubyte.gz"), data.File("t10k-images-idx3-ubyte.gz"));
        File.Copy(data.File("train-labels-idx1-ubyte.gz"), data.File("t10k-labels-idx1-ubyte.gz"));
        return data;
    }
}
