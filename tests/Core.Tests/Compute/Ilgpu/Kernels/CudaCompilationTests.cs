using System.Reflection;
using DistTrainer.Core.Compute.Ilgpu;
using DistTrainer.Core.Compute.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu.Kernels;

/// <summary>
/// Compiles every kernel to PTX without a GPU. The CPU accelerator runs kernels as .NET code, so
/// it cannot see what the CUDA backend lacks (exp and log for float without ILGPU.Algorithms, for one).
/// </summary>
public sealed class CudaCompilationTests
{
    public static TheoryData<string> KernelNames()
    {
        var names = new TheoryData<string>();
        foreach (var kernel in Kernels()) names.Add($"{kernel.DeclaringType!.Name}.{kernel.Name}");
        return names;
    }

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Kernel_compiles_to_ptx_without_approximate_tanh(string name)
    {
        var kernel = Kernels().Single(k => $"{k.DeclaringType!.Name}.{k.Name}" == name);
        using var context = IlgpuBackend.CreateContext(_ => { });
        // Pascal, the oldest architecture in common use, and Hopper.
        foreach (var (architecture, instructionSet) in new[]
                 {
                     (CudaArchitecture.SM_60, CudaInstructionSet.ISA_60),
                     (CudaArchitecture.SM_90, CudaInstructionSet.ISA_80),
                 })
        {
            using var backend = new PTXBackend(context, architecture, instructionSet, null!);
            var compiled = (PTXCompiledKernel)backend.Compile(EntryPoint(kernel), default);
            string ptx = compiled.PTXAssembly.ToString();
            Assert.Contains(".entry", ptx);
            Assert.DoesNotContain("tanh.approx", ptx);
        }
    }

    /// <summary>Every public static method of the kernel classes, generic ones closed over the GPU tile size.</summary>
    private static IEnumerable<MethodInfo> Kernels() =>
        typeof(GemmKernels).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(GemmKernels).Namespace && t.Name.EndsWith("Kernels", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Select(m => m.IsGenericMethodDefinition ? m.MakeGenericMethod(typeof(Tile16)) : m)
            .OrderBy(m => m.DeclaringType!.Name).ThenBy(m => m.Name);

    private static EntryPointDescription EntryPoint(MethodInfo kernel)
    {
        var first = kernel.GetParameters()[0].ParameterType;
        return first == typeof(Index1D) || first == typeof(Index2D)
            ? EntryPointDescription.FromImplicitlyGroupedKernel(kernel)
            : EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
    }
}
