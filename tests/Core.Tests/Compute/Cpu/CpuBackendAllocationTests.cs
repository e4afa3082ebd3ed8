using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Tests.Testing;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

/// <summary>
/// The calling thread runs every operation and part 0 of each GEMM, the same code the workers run
/// on their parts; <see cref="WorkerPoolTests"/> checks that the workers' own loop allocates nothing.
/// </summary>
public sealed class CpuBackendAllocationTests
{
    [Fact]
    public void Repeated_steps_allocate_nothing_once_the_scratch_has_grown()
    {
        using var backend = new CpuBackend(2);
        var step = new Step(backend, rows: 128, inputs: 784, outputs: 256);

        Assert.Equal(0, SteadyAllocation.FewestBytes(step.Run));
    }

    /// <summary>Every operation of the backend, on the shapes of one linear layer's training step.</summary>
    private sealed class Step(CpuBackend backend, int rows, int inputs, int outputs)
    {
        private readonly DeviceSlice _x = Filled(backend, rows * inputs);
        private readonly DeviceSlice _w = Filled(backend, outputs * inputs);
        private readonly DeviceSlice _dw = Filled(backend, outputs * inputs);
        private readonly DeviceSlice _dxIn = Filled(backend, rows * inputs);
        private readonly DeviceSlice _y = Filled(backend, rows * outputs);
        private readonly DeviceSlice _h = Filled(backend, rows * outputs);
        private readonly DeviceSlice _dy = Filled(backend, rows * outputs);
        private readonly DeviceSlice _mask = Filled(backend, rows * outputs);
        private readonly DeviceSlice _z = Filled(backend, rows * outputs);
        private readonly DeviceSlice _column = Filled(backend, outputs);
        private readonly DeviceSlice _column2 = Filled(backend, outputs);
        private readonly DeviceSlice _column3 = Filled(backend, outputs);
        private readonly DeviceSlice _column4 = Filled(backend, outputs);
        private readonly DeviceSlice _labels = Filled(backend, rows, 1);
        private readonly float[] _host = new float[rows * outputs];

        public void Run()
        {
            backend.Gemm(false, true, rows, outputs, inputs, 1, _x, _w, 0, _y);
            backend.AddRowVector(_y, rows, outputs, _column);
            backend.ColumnMeanVariance(_y, rows, outputs, _column, _column2);
            backend.BatchNormForward(_y, rows, outputs, _column, _column2, 1e-5f, _column3, _column4, _h, _z);
            backend.UpdateRunningStatistics(_column3, _column4, _column, _column2, rows, 0.1f);
            backend.ActivationForward(new Activation(ActivationKind.Relu), _z, _h);
            backend.DropoutForward(_h, rows, outputs, 0, 0.2f, 7, _mask, _z);
            backend.SoftmaxForward(_z, _y, rows, outputs);
            backend.Loss(LossKind.CrossEntropy, _z, _labels, rows, outputs, 1f / rows, _dy);
            backend.Loss(LossKind.Mse, _z, _y, rows, outputs, 1f / rows, _dy);
            backend.SoftmaxBackward(_y, _dy, _h, rows, outputs);
            backend.Multiply(_h, _mask, _dy);
            backend.ActivationBackward(new Activation(ActivationKind.Tanh), _z, _y, _dy, _h);
            backend.BatchNormBackwardReduce(_h, _y, rows, outputs, _column3, _column4);
            backend.BatchNormBackwardInput(_h, _y, rows, outputs, _column2, 1e-5f, _column, _column3, _column4, rows, _dy);
            backend.SumRows(_dy, rows, outputs, _column);
            backend.Gemm(true, false, outputs, inputs, rows, 1, _dy, _x, 0, _dw);
            backend.Gemm(false, false, rows, inputs, outputs, 1, _dy, _w, 0, _dxIn);
            backend.Copy(_dy, _mask);
            backend.Fill(_labels, 1);
            backend.Download(_y, _host);
            backend.Upload(_host, _y);
        }

        private static DeviceSlice Filled(CpuBackend backend, int length, float value = 0.5f)
        {
            var slice = backend.Allocate(length).All;
            backend.Fill(slice, value);
            return slice;
        }
    }
}
