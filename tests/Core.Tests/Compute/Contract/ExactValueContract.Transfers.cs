using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// Allocation and the moves between host and backend: values come back exactly as they went in.
public abstract partial class ExactValueContract
{
    [ContractFact]
    public void An_allocated_array_holds_zeros()
    {
        using var both = Compare();
        using var array = Backend.Allocate(11);

        Assert.Equal(new float[11], both.DownloadSubject(array.All));
    }

    [ContractFact]
    public void Empty_arrays_and_empty_slices_are_allowed()
    {
        using var empty = Backend.Allocate(0);
        using var array = Backend.Allocate(3);

        Backend.Upload([], empty.All);
        Backend.Upload([], array.Slice(3, 0));
        Backend.Download(array.Slice(3, 0), []);
        Backend.Copy(empty.All, array.Slice(1, 0));

        Assert.Equal(0, empty.Length);
    }

    [ContractFact]
    public void Upload_and_download_round_trip_through_an_offset_slice()
    {
        using var both = Compare();
        using var array = Backend.Allocate(10);

        Backend.Upload([1.5f, -2f, 3.25f], array.Slice(4, 3));

        Assert.Equal([0f, 0f, 0f, 0f, 1.5f, -2f, 3.25f, 0f, 0f, 0f], both.DownloadSubject(array.All));
        Assert.Equal([-2f, 3.25f], both.DownloadSubject(array.Slice(5, 2)));
    }

    [ContractFact]
    public void Fill_writes_only_its_slice()
    {
        using var both = Compare();
        using var array = Backend.Allocate(6);

        Backend.Fill(array.Slice(1, 3), 2.5f);

        Assert.Equal([0f, 2.5f, 2.5f, 2.5f, 0f, 0f], both.DownloadSubject(array.All));
    }

    [ContractFact]
    public void Copy_copies_between_slices_of_one_array()
    {
        using var both = Compare();
        using var array = Backend.Allocate(8);

        Backend.Upload([1f, 2f, 3f], array.Slice(0, 3));
        Backend.Copy(array.Slice(0, 3), array.Slice(5, 3));

        Assert.Equal([1f, 2f, 3f, 0f, 0f, 1f, 2f, 3f], both.DownloadSubject(array.All));
    }

    [ContractFact]
    public void Upload_fill_copy_and_download_move_the_values_between_arrays()
    {
        using var a = Backend.Allocate(5);
        using var b = Backend.Allocate(5);
        var result = new float[5];

        Backend.Upload([1, 2, 3, 4, 5], a.All);
        Backend.Fill(b.Slice(3, 2), 7);
        Backend.Copy(a.Slice(1, 3), b.Slice(0, 3));
        Backend.Download(b.All, result);

        Assert.Equal([2, 3, 4, 7, 7], result);
    }
}
