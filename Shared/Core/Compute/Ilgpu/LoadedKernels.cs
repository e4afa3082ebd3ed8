using DistTrainer.Core.Compute.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DistTrainer.Core.Compute.Ilgpu;

/// <summary>
/// Every kernel of the backend, compiled for one accelerator when the backend is created, so that
/// a kernel that does not compile for a device fails at start-up rather than in the middle of a
/// run, and no step pays for compilation.
/// </summary>
internal sealed class LoadedKernels
{
    public LoadedKernels(Accelerator accelerator, GemmKernelChoice gemm)
    {
        Fill = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(BasicKernels.Fill);
        Multiply = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            BasicKernels.Multiply);
        AddRowVector = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(
            BasicKernels.AddRowVector);
        SumRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(
            BasicKernels.SumRows);
        ActivationForward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(
            ActivationKernels.Forward);
        ActivationBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, float>(ActivationKernels.Backward);
        SoftmaxForward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(
            SoftmaxKernels.Forward);
        SoftmaxBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, int>(SoftmaxKernels.Backward);
        ColumnMeanVariance = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, int, int>(BatchNormKernels.ColumnMeanVariance);
        BatchNormForward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(
            BatchNormKernels.Forward);
        BatchNormBackwardReduce = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, int>(BatchNormKernels.BackwardReduce);
        BatchNormBackwardInput = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, float>(
            BatchNormKernels.BackwardInput);
        UpdateRunningStatistics = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, float, float>(BatchNormKernels.UpdateRunningStatistics);
        DropoutForward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, long, float, float, ulong>(DropoutKernels.Forward);
        CrossEntropy = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, float>(LossKernels.CrossEntropy);
        ElementwiseLoss = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, float>(LossKernels.Elementwise);

        if (gemm == GemmKernelChoice.ByAccelerator)
            gemm = accelerator.AcceleratorType == AcceleratorType.CPU
                ? GemmKernelChoice.OneThreadPerOutput
                : GemmKernelChoice.SharedMemoryTiles;
        if (gemm == GemmKernelChoice.OneThreadPerOutput)
        {
            GemmDescription = "one thread per output";
            Gemm = LoadOneThreadPerOutputGemm(accelerator);
        }
        else
        {
            // A group of tile x tile threads must fit the device: 256 fits every GPU; ILGPU's CPU
            // accelerator takes 16.
            int tile = accelerator.MaxNumThreadsPerGroup >= 16 * 16 ? 16 : 4;
            GemmDescription = $"{tile}x{tile} shared-memory tiles";
            Gemm = LoadSharedMemoryTilesGemm(accelerator, tile);
        }
    }

    public Action<Index1D, ArrayView<float>, float> Fill { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Multiply { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> AddRowVector { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> SumRows { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, float> ActivationForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> ActivationBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> SoftmaxForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> SoftmaxBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> ColumnMeanVariance { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, int, float> BatchNormForward
    { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> BatchNormBackwardReduce { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, int, float, float> BatchNormBackwardInput
    { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float> UpdateRunningStatistics { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, long, float, float, ulong> DropoutForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> CrossEntropy { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> ElementwiseLoss { get; }

    /// <summary>Which GEMM kernel was chosen, for logs and tests.</summary>
    public string GemmDescription { get; }

    /// <summary>Launches the chosen GEMM kernel over C.</summary>
    public Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> Gemm { get; }

    private static Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> LoadOneThreadPerOutputGemm(
        Accelerator accelerator)
    {
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            GemmShape>(GemmKernels.OneThreadPerOutput);
        return (a, b, c, shape) => kernel(new Index2D(shape.N, shape.M), a, b, c, shape);
    }

    private static Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> LoadSharedMemoryTilesGemm(
        Accelerator accelerator, int tile)
    {
        var kernel = tile == 16
            ? accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
                GemmKernels.SharedMemoryTiles<Tile16>)
            : accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
                GemmKernels.SharedMemoryTiles<Tile4>);
        return (a, b, c, shape) => kernel(
            new KernelConfig(new Index2D((shape.N + tile - 1) / tile, (shape.M + tile - 1) / tile), new Index2D(tile, tile)),
            a, b, c, shape);
    }
}
