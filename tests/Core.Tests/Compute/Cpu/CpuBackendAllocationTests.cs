using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Cpu;
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
        step.Run();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) step.Run();

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Every operation of the backend, on the shapes of one linear layer's training step.</summary>
    private sealed class Step(CpuBackend backend, int rows, int inputs, int outputs)
    {
        private readonly DeviceSlice x = Filled(backend, rows * inputs);
        private readonly DeviceSlice w = Filled(backend, outputs * inputs);
        private readonly DeviceSlice dw = Filled(backend, outputs * inputs);
        private readonly DeviceSlice dxIn = Filled(backend, rows * inputs);
        private readonly DeviceSlice y = Filled(backend, rows * outputs);
        private readonly DeviceSlice h = Filled(backend, rows * outputs);
        private readonly DeviceSlice dy = Filled(backend, rows * outputs);
        private readonly DeviceSlice mask = Filled(backend, rows * outputs);
        private readonly DeviceSlice z = Filled(backend, rows * outputs);
        private readonly DeviceSlice column = Filled(backend, outputs);
        private readonly DeviceSlice column2 = Filled(backend, outputs);
        private readonly DeviceSlice column3 = Filled(backend, outputs);
        private readonly DeviceSlice column4 = Filled(backend, outputs);
        private readonly DeviceSlice labels = Filled(backend, rows, 1);
        private readonly float[] host = new float[rows * outputs];

        public void Run()
        {
            backend.Gemm(false, true, rows, outputs, inputs, 1, x, w, 0, y);
            backend.AddRowVector(y, rows, outputs, column);
            backend.ColumnMeanVariance(y, rows, outputs, column, column2);
            backend.BatchNormForward(y, rows, outputs, column, column2, 1e-5f, column3, column4, h, z);
            backend.UpdateRunningStatistics(column3, column4, column, column2, rows, 0.1f);
            backend.ActivationForward(new Activation(ActivationKind.Relu), z, h);
            backend.DropoutForward(h, rows, outputs, 0, 0.2f, 7, mask, z);
            backend.SoftmaxForward(z, y, rows, outputs);
            backend.Loss(LossKind.CrossEntropy, z, labels, rows, outputs, 1f / rows, dy);
            backend.Loss(LossKind.Mse, z, y, rows, outputs, 1f / rows, dy);
            backend.SoftmaxBackward(y, dy, h, rows, outputs);
            backend.Multiply(h, mask, dy);
            backend.ActivationBackward(new Activation(ActivationKind.Tanh), z, y, dy, h);
            backend.BatchNormBackwardReduce(h, y, rows, outputs, column3, column4);
            backend.BatchNormBackwardInput(h, y, rows, outputs, column2, 1e-5f, column, column3, column4, rows, dy);
            backend.SumRows(dy, rows, outputs, column);
            backend.Gemm(true, false, outputs, inputs, rows, 1, dy, x, 0, dw);
            backend.Gemm(false, false, rows, inputs, outputs, 1, dy, w, 0, dxIn);
            backend.Copy(dy, mask);
            backend.Fill(labels, 1);
            backend.Download(y, host);
            backend.Upload(host, y);
        }

        private static DeviceSlice Filled(CpuBackend backend, int length, float value = 0.5f)
        {
            var slice = backend.Allocate(length).All;
            backend.Fill(slice, value);
            return slice;
        }
    }
}
