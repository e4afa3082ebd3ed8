using DistTrainer.Nn;
using Xunit;

namespace DistTrainer.Library.Tests.Nn;

public sealed class SequentialTests
{
    private static readonly ModelOptions Cpu = new() { Device = "cpu", Threads = 1 };

    private static Tensor Input(int rows, int columns)
    {
        var values = new float[rows * columns];
        for (int i = 0; i < values.Length; i++) values[i] = MathF.Sin(i + 1);
        return new Tensor(values, rows, columns);
    }

    [Fact]
    public void The_modules_become_the_engine_s_layers_in_order()
    {
        using var model = new Sequential(Cpu, new Linear(4, 8, init: "he"), new BatchNorm1d(8), new LeakyReLU(0.1), new Dropout(0.2),
            new Linear(8, 3), new Tanh(), new Sigmoid(), new Heaviside(), new Softmax());

        Assert.Equal("linear:4:8:he,batchnorm:8,leaky_relu:0.1,dropout:0.2,linear:8:3,tanh,sigmoid,step,softmax", model.Describe());
        Assert.Equal(4 * 8 + 8 + 8 + 8 + 8 * 3 + 3, model.ParameterCount);
    }

    [Fact]
    public void Modules_that_do_not_chain_are_refused_naming_the_entry()
    {
        var error = Assert.ThrowsAny<Exception>(() => new Sequential(Cpu, new Linear(4, 8), new Linear(7, 2)));
        Assert.Contains("entry 1 'linear:7:2'", error.Message);
    }

    [Fact]
    public void The_state_dict_has_torch_s_names_and_loads_into_a_model_of_another_seed()
    {
        using var source = new Sequential(Cpu with { Seed = 3 }, new Linear(4, 6), new BatchNorm1d(6), new ReLU(), new Linear(6, 2));
        source.Forward(Input(5, 4));
        using var target = new Sequential(Cpu with { Seed = 4 }, new Linear(4, 6), new BatchNorm1d(6), new ReLU(), new Linear(6, 2));

        var state = source.StateDict();
        target.LoadStateDict(state);

        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias"],
            state.Keys);
        Assert.Equal([6, 4], state["0.weight"].Shape);
        Assert.Equal(1f, state["1.num_batches_tracked"].ToArray()[0]);
        Assert.Equal(source.Eval().Forward(Input(5, 4)).ToArray(), target.Eval().Forward(Input(5, 4)).ToArray());
        Assert.Equal(state.Keys, target.StateDict().Keys);
    }

    [Fact]
    public void A_state_dict_with_a_misshapen_tensor_is_refused()
    {
        using var model = new Sequential(Cpu, new Linear(4, 6));
        var state = model.StateDict();
        state["0.bias"] = new Tensor(new float[5], 5);

        var error = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        Assert.Contains("'0.bias' has shape [5] but the model needs [6]", error.Message);
    }

    [Fact]
    public void Eval_turns_dropout_off_and_train_turns_it_on()
    {
        using var model = new Sequential(Cpu, new Linear(6, 40), new Dropout(0.5));
        var input = Input(4, 6);

        var evaluated = model.Eval().Forward(input).ToArray();
        Assert.False(model.Training);
        var again = model.Forward(input).ToArray();
        var trained = model.Train().Forward(input).ToArray();

        Assert.True(model.Training);
        Assert.Equal(evaluated, again);
        int dropped = 0;
        for (int i = 0; i < trained.Length; i++)
        {
            if (trained[i] == 0 && evaluated[i] != 0) dropped++;
            else Assert.Equal(evaluated[i] * 2, trained[i], 5);
        }
        Assert.InRange(dropped, trained.Length / 4, 3 * trained.Length / 4);
        Assert.Equal(1, model.Step);
    }

    [Fact]
    public void An_output_read_after_the_next_forward_pass_is_refused()
    {
        using var model = new Sequential(Cpu, new Linear(3, 2));
        var first = model.Forward(Input(2, 3));
        model.Forward(Input(2, 3));

        Assert.Throws<InvalidOperationException>(() => first.ToArray());
    }

    [Fact]
    public void A_batch_larger_than_the_model_was_built_for_is_refused()
    {
        using var model = new Sequential(Cpu with { MaxRows = 4 }, new Linear(3, 2));

        var error = Assert.Throws<ArgumentException>(() => model.Forward(Input(5, 3)));
        Assert.Contains("built for 1..4", error.Message);
    }
}
