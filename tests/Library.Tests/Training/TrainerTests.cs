using DistTrainer.Checkpoints;
using DistTrainer.Core.Training;
using DistTrainer.Training;
using Xunit;

namespace DistTrainer.Library.Tests.Training;

public sealed class TrainerTests
{
    [Fact]
    public void Fit_in_this_process_puts_the_weights_of_the_CLI_s_run_into_the_model_bit_for_bit()
    {
        using var run = new CliRun();
        using var model = CliRun.Model();
        var recorder = new TrainingRecorder();

        var outcome = new Trainer(run.Options).Fit(model, run.Train, observer: recorder);

        Assert.Null(outcome.Cluster);
        Assert.Equal(10, outcome.Result.Steps);
        Assert.Equal(CliRun.Epochs, recorder.Epochs.Count);
        using var cli = Checkpoint.LoadModel(run.TrainWithTheCli(), CliRun.ModelOptions);
        CliRun.AssertSameBits(cli, model);
    }

    [Fact]
    public void Fit_of_the_options_alone_saves_the_very_checkpoint_the_CLI_saves()
    {
        using var run = new CliRun();
        string path = Path.Combine(Path.GetTempPath(), $"disttrainer-trainer-{Guid.NewGuid():N}.safetensors");
        try
        {
            var outcome = new Trainer(run.Options with { Save = path }).Fit();

            Assert.Equal(10, outcome.Result.Steps);
            Assert.Equal(File.ReadAllBytes(run.TrainWithTheCli()), File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
