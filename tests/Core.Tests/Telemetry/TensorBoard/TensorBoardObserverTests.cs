using DistTrainer.Core.Nn;
using DistTrainer.Core.Telemetry.TensorBoard;
using DistTrainer.Core.Training;
using Xunit;
using Tags = DistTrainer.Core.Telemetry.TensorBoard.TensorBoardTags;

namespace DistTrainer.Core.Tests.Telemetry.TensorBoard;

public sealed class TensorBoardObserverTests
{
    private static readonly TensorPlacement[] Layout = [new("0.weight", [2, 2], 0, 4), new("0.bias", [2], 4, 2)];

    [Fact]
    public void Each_report_goes_under_its_tags_at_the_number_of_steps_applied()
    {
        using var folder = new TempDirectory();
        string file;
        using (var board = new TensorBoardObserver(folder.Path, Layout, 0.05f, histogramEvery: 0))
        {
            file = board.FilePath;
            board.OnStep(new StepReport(0, 0, 2, 1, 2, 2.25, 0.5, 100, 4));
            board.OnClusterStep(new ClusterStepReport(0, 0.004, 0.002, 0.003, 0.0005, 1, 0, 2, 1, 0, 10, 20, 2, 0));
            board.OnStep(new StepReport(0, 1, 2, 2, 2, 1.75, 0.75, 120, 4));
            board.OnEpoch(new EpochReport(1, 2, 2.0, 0.625, 1.9, 0.3, 110, 0.5));
        }
        var events = EventFileReader.Read(file);

        Assert.StartsWith(EventFileWriter.Prefix, Path.GetFileName(file));
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal([(1L, 2.25f), (2L, 1.75f)], EventFileReader.Scalars(events, Tags.StepLoss));
        Assert.Equal([(1L, 0.5f), (2L, 0.75f)], EventFileReader.Scalars(events, Tags.StepAccuracy));
        Assert.Equal([(1L, 100f), (2L, 120f)], EventFileReader.Scalars(events, Tags.SamplesPerSecond));
        Assert.Equal([(1L, 0.05f), (2L, 0.05f)], EventFileReader.Scalars(events, Tags.LearningRate));
        Assert.Equal([(2L, 2.0f)], EventFileReader.Scalars(events, Tags.EpochTrainLoss));
        Assert.Equal([(2L, 0.625f)], EventFileReader.Scalars(events, Tags.EpochTrainAccuracy));
        Assert.Equal([(2L, 1.9f)], EventFileReader.Scalars(events, Tags.EpochTestLoss));
        Assert.Equal([(2L, 0.3f)], EventFileReader.Scalars(events, Tags.EpochTestAccuracy));
        Assert.Equal([(1L, 4f)], EventFileReader.Scalars(events, Tags.StepMilliseconds));
        Assert.Equal([(1L, 2f)], EventFileReader.Scalars(events, Tags.ComputeMilliseconds));
        Assert.Equal([(1L, 1f)], EventFileReader.Scalars(events, Tags.CommunicationMilliseconds));
        Assert.Equal([(1L, 0.5f)], EventFileReader.Scalars(events, Tags.ParameterServerMilliseconds));
        Assert.Equal([(1L, 1f)], EventFileReader.Scalars(events, Tags.ShardsReassigned));
        Assert.Equal([(1L, 3f)], EventFileReader.Scalars(events, Tags.ResultsDropped));
        Assert.Equal([(1L, 2f)], EventFileReader.Scalars(events, Tags.WorkersReady));
        Assert.Equal([(1L, 0f)], EventFileReader.Scalars(events, Tags.WorkersLost));
        Assert.DoesNotContain(events.SelectMany(e => e.Values), v => v.Histogram is not null);
    }

    [Fact]
    public void An_epoch_is_in_the_file_while_the_run_goes_on()
    {
        using var folder = new TempDirectory();
        using var board = new TensorBoardObserver(folder.Path, Layout, null, histogramEvery: 0);

        board.OnStep(new StepReport(0, 0, 1, 1, 9, 2.25, 0.5, 100, 4));
        board.OnEpoch(new EpochReport(1, 1, 2.25, 0.5, null, null, 100, 0.5));

        var events = EventFileReader.ReadFolder(folder.Path);
        Assert.Equal([(1L, 2.25f)], EventFileReader.Scalars(events, Tags.EpochTrainLoss));
        Assert.Empty(EventFileReader.Scalars(events, Tags.EpochTestAccuracy));
        Assert.Empty(EventFileReader.Scalars(events, Tags.LearningRate));
    }

    [Fact]
    public void Every_nth_step_has_a_histogram_of_each_tensor_s_gradient_and_weights()
    {
        using var folder = new TempDirectory();
        float[] gradients = [1, 2, 3, 4, -1, 1];
        float[] weights = [0.5f, 0.5f, 0.5f, 0.5f, 7, 8];
        using (var board = new TensorBoardObserver(folder.Path, Layout, null, histogramEvery: 2))
        {
            for (long step = 0; step < 5; step++)
            {
                board.OnGradients(step, gradients);
                board.OnWeights(step, weights);
            }
        }
        var events = EventFileReader.ReadFolder(folder.Path);

        var weightHistograms = EventFileReader.Histograms(events, Tags.Weights("0.weight"));
        Assert.Equal([2L, 4], weightHistograms.Select(h => h.Step));
        Assert.Equal([4.0], weightHistograms[0].Histogram.BucketCounts);
        var biasGradients = EventFileReader.Histograms(events, Tags.Gradients("0.bias"));
        Assert.Equal([2L, 4], biasGradients.Select(h => h.Step));
        Assert.Equal((-1.0, 1.0, 2.0, 0.0, 2.0), (biasGradients[0].Histogram.Min, biasGradients[0].Histogram.Max,
            biasGradients[0].Histogram.Count, biasGradients[0].Histogram.Sum, biasGradients[0].Histogram.SumSquares));
        Assert.Equal(Histogram.Of(gradients.AsSpan(0, 4)).BucketCounts, EventFileReader.Histograms(events, Tags.Gradients("0.weight"))[1].Histogram.BucketCounts);
        Assert.Equal(2, EventFileReader.Histograms(events, Tags.Weights("0.bias")).Count);
    }

    [Fact]
    public void Two_runs_into_one_folder_write_two_files()
    {
        using var folder = new TempDirectory();
        using var first = new TensorBoardObserver(folder.Path, Layout, null, 0);
        using var second = new TensorBoardObserver(folder.Path, Layout, null, 0);

        Assert.NotEqual(first.FilePath, second.FilePath);
        Assert.Equal(2, Directory.GetFiles(folder.Path, EventFileWriter.Prefix + "*").Length);
    }
}
