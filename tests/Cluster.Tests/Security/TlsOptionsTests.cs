using DistTrainer.Cluster.Security;
using DistTrainer.Core;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Cluster.Tests.Security;

public sealed class TlsOptionsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void No_option_and_no_variable_means_no_TLS() => Assert.Null(TlsOptions.Resolve(null, null, null, _ => null));

    [Fact]
    public void An_option_wins_over_its_variable_and_variables_fill_the_rest()
    {
        var variables = new Dictionary<string, string>
        {
            [TlsOptions.CaVariable] = "/certs/ca.crt",
            [TlsOptions.CertVariable] = " /certs/w.crt ",
            [TlsOptions.KeyVariable] = "/certs/w.key",
        };
        var options = TlsOptions.Resolve("my-ca.crt", null, null, name => variables.GetValueOrDefault(name));
        Assert.Equal(new TlsOptions("my-ca.crt", "/certs/w.crt", "/certs/w.key"), options);
    }

    [Fact]
    public void Some_but_not_all_of_the_three_is_refused_naming_what_is_missing()
    {
        var e = Assert.Throws<InvalidInputException>(() => TlsOptions.Resolve("ca.crt", null, null, _ => null));
        Assert.Equal("--tls-ca, --tls-cert and --tls-key go together: missing --tls-cert (or DISTTRAINER_TLS_CERT), --tls-key (or DISTTRAINER_TLS_KEY)",
            e.Message);
    }

    [Fact]
    public void PEM_files_load_into_credentials_named_after_the_certificate()
    {
        var certificates = new TestCertificates();
        var files = certificates.WritePem(_directory.Path, "worker-7", certificates.Issue("worker-7"));
        var credentials = files.Load();
        Assert.Equal("worker-7", credentials.Name);
        Assert.True(credentials.Certificate.HasPrivateKey);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var missing = _directory.File("nothing.crt");
        var e = Assert.Throws<InvalidInputException>(() => new TlsOptions(missing, missing, missing).Load());
        Assert.Equal($"--tls-ca: file '{missing}' does not exist", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_PEM_is_named()
    {
        var certificates = new TestCertificates();
        var files = certificates.WritePem(_directory.Path, "worker-7", certificates.Issue("worker-7"));
        File.WriteAllText(files.CertFile, "not a certificate");
        var e = Assert.Throws<InvalidInputException>(() => files.Load());
        Assert.StartsWith($"--tls-cert: '{files.CertFile}' is not a readable PEM certificate (and key):", e.Message);
    }

    [Fact]
    public void A_certificate_of_another_CA_than_the_one_given_is_refused_at_start()
    {
        var files = new TestCertificates().WritePem(_directory.Path, "worker-7", new TestCertificates("other CA").Issue("worker-7"));
        var e = Assert.Throws<InvalidInputException>(() => files.Load());
        Assert.StartsWith($"--tls-cert: '{files.CertFile}': this node's own certificate would be refused by its peers:", e.Message);
    }
}
