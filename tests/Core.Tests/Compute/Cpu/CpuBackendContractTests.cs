using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Tests.Compute.Contract;

namespace DistTrainer.Core.Tests.Compute.Cpu;

/// <summary>
/// The backend contract on the vectorised CPU backend with two threads, so that every GEMM is split
/// between the caller and a worker; a fresh backend per test, as cheap to create as it is.
/// </summary>
public sealed class CpuBackendContractTests() : BackendContract(new CpuBackend(2), ownsBackend: true);
