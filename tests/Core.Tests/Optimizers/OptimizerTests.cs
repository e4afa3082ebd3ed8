using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Tests.Testing;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class OptimizerTests
{
    public static TheoryData<string> Names() => OptimizerRuns.Names();

    public static TheoryData<string, int> NamesAndOddLengths()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in OptimizerFactory.Names)
        {
            foreach (var length in new[] { 1, 7, 17, 1003 })
            {
                data.Add(name, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NamesAndOddLengths))]
    public void Vectorised_step_equals_the_scalar_reference_bit_for_bit(string name, int length)
    {
        var vectorised = Create(name, length);
        var scalar = Create(name, length);
        var vectorisedParameters = OptimizerRuns.Seeded(length, seed: 1);
        var scalarParameters = (float[])vectorisedParameters.Clone();

        foreach (var gradient in OptimizerRuns.SeededGradients(length, steps: 5, seed: 100))
        {
            vectorised.Step(vectorisedParameters, gradient);
            scalar.StepScalar(scalarParameters, gradient);
        }

        Assert.Equal(scalarParameters, vectorisedParameters);
        Assert.NotEqual(OptimizerRuns.Seeded(length, seed: 1), vectorisedParameters);
        foreach (var state in scalar.StateNames)
        {
            Assert.Equal(scalar.State(state).ToArray(), vectorised.State(state).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_run_restored_from_saved_state_continues_exactly_as_an_uninterrupted_run(string name)
    {
        const int length = 45;
        var gradients = OptimizerRuns.SeededGradients(length, steps: 6, seed: 7);
        var uninterrupted = Create(name, length);
        var expected = OptimizerRuns.Seeded(length, seed: 3);
        foreach (var gradient in gradients)
        {
            uninterrupted.Step(expected, gradient);
        }

        var first = Create(name, length);
        var parameters = OptimizerRuns.Seeded(length, seed: 3);
        foreach (var gradient in gradients[..3])
        {
            first.Step(parameters, gradient);
        }

        var saved = first.StateNames.ToDictionary(state => state, state => first.State(state).ToArray());
        var resumed = Create(name, length);
        foreach (var (state, values) in saved)
        {
            values.CopyTo(resumed.State(state));
        }

        resumed.SetStepCount(first.StepCount);
        foreach (var gradient in gradients[3..])
        {
            resumed.Step(parameters, gradient);
        }

        Assert.Equal(6, resumed.StepCount);
        Assert.Equal(expected, parameters);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Step_allocates_nothing(string name)
    {
        var optimizer = Create(name, 1003);
        var parameters = OptimizerRuns.Seeded(1003, seed: 5);
        var gradient = OptimizerRuns.Seeded(1003, seed: 6);

        Assert.Equal(0, SteadyAllocation.FewestBytes(() => optimizer.Step(parameters, gradient)));
    }

    [Theory]
    [InlineData("sgd", new string[0])]
    [InlineData("momentum", new[] { "momentum_buffer" })]
    [InlineData("nag", new[] { "momentum_buffer" })]
    [InlineData("adagrad", new[] { "sum" })]
    [InlineData("rmsprop", new[] { "square_avg" })]
    [InlineData("adadelta", new[] { "square_avg", "acc_delta" })]
    [InlineData("adam", new[] { "exp_avg", "exp_avg_sq" })]
    [InlineData("adamw", new[] { "exp_avg", "exp_avg_sq" })]
    public void State_buffers_carry_torchs_names_and_the_parameter_count(string name, string[] expected)
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings(name), 11);

        Assert.Equal(expected, optimizer.StateNames);
        Assert.All(optimizer.StateNames, state => Assert.Equal(11, optimizer.State(state).Length));
    }

    [Fact]
    public void State_that_the_optimizer_lacks_is_refused_with_the_names_it_has()
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("adam"), 3);

        var error = Assert.Throws<ArgumentException>(() => optimizer.State("momentum_buffer"));

        Assert.Contains("optimizer 'adam' has no state 'momentum_buffer'; it has [exp_avg, exp_avg_sq]", error.Message);
    }

    [Fact]
    public void Step_refuses_vectors_of_another_length_and_does_not_count_the_step()
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("sgd"), 3);

        var error = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[3], new float[4]));

        Assert.Equal("optimizer 'sgd' holds 3 parameters; got 3 parameters and 4 gradients", error.Message);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void A_negative_step_count_is_refused()
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("adam"), 3);

        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.SetStepCount(-1));
    }

    private static Optimizer Create(string name, int length) =>
        (Optimizer)OptimizerFactory.Create(OptimizerRuns.Exercising(name), length);
}
