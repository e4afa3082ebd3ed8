using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DistTrainer.Core.Compute.Ilgpu;

// Device choice. Devices are picked by their type, not by ILGPU's preferred-device ranking,
// which can rank an OpenCL device that is really a CPU above a GPU.
public sealed partial class IlgpuBackend
{
    /// <summary>The first CUDA device, or null when there is none (no NVIDIA GPU or no driver).</summary>
    public static IlgpuBackend? TryCreateCuda() =>
        TryCreate(builder => builder.Cuda(), context => First(context.GetCudaDevices()));

    /// <summary>The first OpenCL device that is a GPU, or null when there is none.</summary>
    public static IlgpuBackend? TryCreateOpenClGpu() =>
        TryCreate(builder => builder.OpenCL(device => device.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU),
            context => First(context.GetCLDevices()));

    /// <summary>
    /// ILGPU's CPU accelerator: it runs the kernels on .NET threads, much slower than the CPU
    /// backend. For tests of the kernels, and as the last resort of <see cref="CreatePreferred"/>.
    /// </summary>
    public static IlgpuBackend CreateCpuSimulator() => CreateCpuSimulator(CPUDevice.Default, GemmKernelChoice.ByAccelerator);

    /// <summary>CUDA, else an OpenCL GPU, else ILGPU's CPU accelerator.</summary>
    public static IlgpuBackend CreatePreferred() => TryCreateCuda() ?? TryCreateOpenClGpu() ?? CreateCpuSimulator();

    /// <summary>A CPU accelerator shaped like <paramref name="device"/> (threads per group, warp size), for tests.</summary>
    internal static IlgpuBackend CreateCpuSimulator(CPUDevice device, GemmKernelChoice gemm) =>
        TryCreate(builder => builder.CPU(device), _ => device, gemm)!;

    private static IlgpuBackend? TryCreate(Action<Context.Builder> register, Func<Context, Device?> pick,
        GemmKernelChoice gemm = GemmKernelChoice.ByAccelerator)
    {
        var context = CreateContext(register);
        Accelerator? accelerator = null;
        try
        {
            var device = pick(context);
            if (device is null)
            {
                context.Dispose();
                return null;
            }
            accelerator = device.CreateAccelerator(context);
            return new IlgpuBackend(context, accelerator, gemm);
        }
        catch
        {
            accelerator?.Dispose();
            context.Dispose();
            throw;
        }
    }

    private static Device? First<TDevice>(Context.DeviceCollection<TDevice> devices) where TDevice : Device =>
        devices.Count > 0 ? devices[0] : null;

    /// <summary>
    /// Enables ILGPU.Algorithms: without it the CUDA backend has no exp or log for float, and
    /// every kernel using them fails to compile.
    /// </summary>
    internal static Context CreateContext(Action<Context.Builder> register) =>
        Context.Create(builder =>
        {
            register(builder);
            builder.EnableAlgorithms();
        });
}
