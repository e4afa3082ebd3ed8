using DistTrainer.Cluster.Hosting;
using DotNetty.Buffers;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

public sealed class RemotingBuffersTests
{
    // Every node of this test process starts through ClusterNode.Start (the other actor systems here are local, without
    // remoting), so whichever node is first, DotNetty reads the choice made there.
    [Fact]
    public async Task A_started_node_leaves_remoting_on_the_unpooled_allocator()
    {
        var node = ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0), Logger.None);
        try
        {
            Assert.Equal("unpooled", Environment.GetEnvironmentVariable(RemotingBuffers.AllocatorVariable));
            Assert.IsType<UnpooledByteBufferAllocator>(ByteBufferUtil.DefaultAllocator);
        }
        finally
        {
            await node.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
