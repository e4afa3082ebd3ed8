using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Compute.Reference;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Checkpoints;

public class ModelCheckpointTests
{
    private const string Layers = "linear:3:4,batchnorm:4,relu,linear:4:2";

    private static Sequential Model(string layers = Layers, ulong seed = 1)
    {
        var model = new Sequential(ModelSpec.Parse(layers), new ReferenceBackend(), 4);
        model.Initialize(seed);
        return model;
    }

    [Fact]
    public void Writes_pytorch_state_dict_names_shapes_and_the_optimizer_state()
    {
        using var dir = new TempDirectory();
        using var model = Model();
        model.BatchNormLayers[0].Layer.BatchesTracked = 5;
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("adam"), model.ParameterCount);
        var parameters = new float[model.ParameterCount];
        optimizer.Step(parameters, Enumerable.Repeat(0.5f, model.ParameterCount).ToArray());
        ModelCheckpoint.Save(dir.File("a.safetensors"), model, optimizer);

        var (tensors, metadata) = SafeTensorsFile.Read(dir.File("a.safetensors"));
        Assert.Equal([4, 3], tensors["0.weight"].Shape);
        Assert.Equal([4], tensors["0.bias"].Shape);
        Assert.Equal([4], tensors["1.weight"].Shape);
        Assert.Equal([1f, 1f, 1f, 1f], tensors["1.weight"].ToFloats());
        Assert.Equal([0f, 0f, 0f, 0f], tensors["1.running_mean"].ToFloats());
        Assert.Equal([1f, 1f, 1f, 1f], tensors["1.running_var"].ToFloats());
        Assert.Equal(5, tensors["1.num_batches_tracked"].ToInt64());
        Assert.Equal([2, 4], tensors["3.weight"].Shape);
        Assert.Equal([2, 4], tensors["optimizer.3.weight.exp_avg"].Shape);
        Assert.All(tensors["optimizer.3.weight.exp_avg"].ToFloats(), v => Assert.Equal(0.05f, v, 6));
        Assert.Equal("adam", metadata["optimizer"]);
        Assert.Equal("1", metadata["step"]);
        Assert.Equal(Layers, metadata["layers"]);
    }

    [Fact]
    public void A_saved_model_and_optimizer_load_back_exactly()
    {
        using var dir = new TempDirectory();
        using var source = Model(seed: 1);
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("momentum"), source.ParameterCount);
        var parameters = new float[source.ParameterCount];
        source.Backend.Download(source.Parameters, parameters);
        optimizer.Step(parameters, Enumerable.Range(0, source.ParameterCount).Select(i => i * 0.01f).ToArray());
        source.Backend.Upload(parameters, source.Parameters);
        ModelCheckpoint.Save(dir.File("b.safetensors"), source, optimizer);

        using var target = Model(seed: 2);
        var restored = OptimizerFactory.Create(new OptimizerSettings("momentum"), target.ParameterCount);
        Assert.True(ModelCheckpoint.Load(dir.File("b.safetensors"), target, restored));
        Assert.Equal(ReferenceBackend.View(source.Parameters).ToArray(), ReferenceBackend.View(target.Parameters).ToArray());
        Assert.Equal(1, restored.StepCount);
        Assert.Equal(optimizer.State("momentum_buffer").ToArray(), restored.State("momentum_buffer").ToArray());

        var other = OptimizerFactory.Create(new OptimizerSettings("adam"), target.ParameterCount);
        Assert.False(ModelCheckpoint.Load(dir.File("b.safetensors"), target, other));
        Assert.Equal(0, other.StepCount);
    }

    [Fact]
    public void Loads_the_file_pytorch_wrote_for_the_same_sequential()
    {
        string fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Checkpoints", "sequential.safetensors");
        var (tensors, _) = SafeTensorsFile.Read(fixture);
        using var model = Model("linear:3:4,batchnorm:4,relu,linear:4:2");
        Assert.False(ModelCheckpoint.Load(fixture, model, null));
        var parameters = ReferenceBackend.View(model.Parameters).ToArray();
        Assert.Equal(tensors["0.weight"].ToFloats().Select(v => (double)v), parameters[..12]);
        Assert.Equal(tensors["1.num_batches_tracked"].ToInt64(), model.BatchNormLayers[0].Layer.BatchesTracked);
        Assert.Equal(tensors["1.running_var"].ToFloats().Select(v => (double)v), ReferenceBackend.View(model.Buffers).ToArray()[4..]);
    }

    [Theory]
    [InlineData("linear:3:5,batchnorm:5,relu,linear:5:2", "tensor '0.weight' has shape [4, 3] but the model needs [5, 3]")]
    [InlineData("linear:3:4,relu,linear:4:2", "tensor '2.weight' [2, 4] is missing")]
    [InlineData("linear:3:4,batchnorm:4,relu,linear:4:2,relu,linear:2:2", "tensor '5.weight' [2, 2] is missing")]
    [InlineData("linear:3:4,batchnorm:4", "does not belong to the model (linear:3:4,batchnorm:4)")]
    public void A_file_that_does_not_fit_the_model_is_refused_naming_the_tensor(string layers, string message)
    {
        using var dir = new TempDirectory();
        using (var source = Model())
            ModelCheckpoint.Save(dir.File("c.safetensors"), source, null);
        using var model = Model(layers);
        var e = Assert.Throws<InvalidInputException>(() => ModelCheckpoint.Load(dir.File("c.safetensors"), model, null));
        Assert.StartsWith($"checkpoint {dir.File("c.safetensors")}: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        using var model = Model();
        var e = Assert.Throws<InvalidInputException>(() => ModelCheckpoint.Load("/nonexistent/x.safetensors", model, null));
        Assert.Equal("checkpoint /nonexistent/x.safetensors: file not found", e.Message);
    }

    [Fact]
    public void A_file_damaged_after_writing_is_refused()
    {
        using var dir = new TempDirectory();
        using (var source = Model())
            ModelCheckpoint.Save(dir.File("d.safetensors"), source, null);
        var bytes = File.ReadAllBytes(dir.File("d.safetensors"));
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(dir.File("d.safetensors"), bytes);
        using var model = Model();
        var e = Assert.Throws<InvalidInputException>(() => ModelCheckpoint.Load(dir.File("d.safetensors"), model, null));
        Assert.Equal($"checkpoint {dir.File("d.safetensors")}: the tensors do not match the checksum stored with them (the file is damaged)", e.Message);
    }

    [Fact]
    public void The_runs_planned_total_is_recorded_and_read_back_from_the_header()
    {
        using var dir = new TempDirectory();
        using var model = Model();
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("sgd"), model.ParameterCount);

        ModelCheckpoint.Save(dir.File("planned.safetensors"), model, optimizer, plannedSteps: 5628);
        ModelCheckpoint.Save(dir.File("unplanned.safetensors"), model, optimizer);

        Assert.Equal(5628, ModelCheckpoint.ReadPlannedSteps(dir.File("planned.safetensors")));
        Assert.Equal("5628", SafeTensorsFile.Read(dir.File("planned.safetensors")).Metadata["planned-steps"]);
        Assert.Null(ModelCheckpoint.ReadPlannedSteps(dir.File("unplanned.safetensors")));
    }

    [Fact]
    public void A_planned_total_that_is_not_a_step_count_is_refused_naming_the_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        SafeTensorsFile.Write(path, [SafeTensor.FromFloats("0.bias", [1], [0f])], new Dictionary<string, string> { ["planned-steps"] = "-3" });

        var error = Assert.Throws<InvalidInputException>(() => ModelCheckpoint.ReadPlannedSteps(path));

        Assert.Equal($"checkpoint {path}: 'planned-steps' in its metadata is '-3', not a step count", error.Message);
    }
}
