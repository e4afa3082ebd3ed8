using DistTrainer.Coordinator.Lab.Experiments;
using DistTrainer.Core.Tests.Telemetry.TensorBoard;
using Xunit;
using Tags = DistTrainer.Core.Telemetry.TensorBoard.TensorBoardTags;

namespace DistTrainer.Coordinator.Tests.Lab;

public sealed class LabTensorBoardTests
{
    [Fact]
    public void Each_model_of_an_experiment_writes_one_event_file_into_its_own_run_folder()
    {
        using var lab = new TestLab("xor", histogramEvery: 50);

        var network = new XorExperiment().Conduct(lab.Context).Network;
        new XorExperiment().Conduct(lab.Context);

        string folder = Path.Combine(lab.Out, "xor", "tensorboard", "mlp-on-xor");
        Assert.Equal(folder, lab.Context.TensorBoardFolder("MLP on XOR"));
        var events = EventFileReader.ReadFolder(folder);
        Assert.Equal(network.Curves.Epochs.Select(e => (e.Step, (float)e.TestAccuracy!.Value)), EventFileReader.Scalars(events, Tags.EpochTestAccuracy));
        Assert.Equal([50L, 100, 150, 200], EventFileReader.Histograms(events, Tags.Gradients("0.weight")).Select(h => h.Step));
        Assert.Equal([50L, 100, 150, 200], EventFileReader.Histograms(events, Tags.Weights("2.bias")).Select(h => h.Step));
    }

    [Fact]
    public void A_model_s_label_becomes_a_folder_name()
    {
        using var lab = new TestLab("activations");

        Assert.Equal(Path.Combine(lab.Out, "activations", "tensorboard", "relu-relu"), lab.Context.TensorBoardFolder("relu / relu"));
        Assert.Equal(Path.Combine(lab.Out, "activations", "tensorboard", "lr-0.1-he-init"), lab.Context.TensorBoardFolder("lr 0.1, He init"));
    }
}
