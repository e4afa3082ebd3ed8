using System.Security.Cryptography.X509Certificates;
using DistTrainer.Cluster.Security;
using Xunit;

namespace DistTrainer.Cluster.Tests.Security;

public class PeerCertificateValidatorTests
{
    private readonly TestCertificates _cluster = new();
    private PeerCertificateValidator Validator => new(_cluster.Authority);

    [Fact]
    public void A_node_certificate_of_the_cluster_CA_is_accepted_and_named_by_its_common_name()
    {
        var node = _cluster.Issue("worker-1");
        Assert.Null(Validator.Problem(node));
        Assert.Equal("worker-1", PeerCertificateValidator.NameOf(node));
    }

    [Fact]
    public void A_certificate_from_another_CA_is_refused_naming_its_issuer()
    {
        var foreign = new TestCertificates("other CA").Issue("worker-1");
        string? problem = Validator.Problem(foreign);
        Assert.NotNull(problem);
        Assert.Contains("'CN=worker-1' (issued by 'CN=other CA') is not a node certificate of this cluster's CA", problem);
    }

    [Fact]
    public void A_self_signed_certificate_is_refused() =>
        Assert.Contains("is not a node certificate of this cluster's CA", Validator.Problem(TestCertificates.SelfSigned("intruder")));

    [Fact]
    public void The_CA_certificate_itself_is_not_a_node_certificate() =>
        Assert.Equal("'CN=disttrainer test CA' is a CA certificate, not a node's", Validator.Problem(_cluster.Authority));

    [Fact]
    public void A_certificate_that_may_only_serve_is_refused_because_every_node_also_connects()
    {
        var serverOnly = _cluster.Issue("server-only", [new("1.3.6.1.5.5.7.3.1")]);
        Assert.NotNull(Validator.Problem(serverOnly));
    }

    [Fact]
    public void An_expired_certificate_is_refused()
    {
        var expired = _cluster.Issue("worker-1", notAfter: DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.NotNull(Validator.Problem(expired));
    }

    [Fact]
    public void No_certificate_at_all_is_refused() => Assert.Equal("no certificate was presented", Validator.Problem(null));

    [Fact]
    public void Credentials_whose_certificate_another_CA_issued_are_refused_when_made()
    {
        var foreign = new TestCertificates("other CA").Issue("worker-1");
        var e = Assert.Throws<ArgumentException>(() => TlsCredentials.Create(_cluster.Authority, foreign));
        Assert.StartsWith("this node's own certificate would be refused by its peers:", e.Message);
    }

    [Fact]
    public void Credentials_without_the_private_key_are_refused_when_made()
    {
        var withoutKey = X509CertificateLoader.LoadCertificate(_cluster.Issue("worker-1").RawData);
        var e = Assert.Throws<ArgumentException>(() => TlsCredentials.Create(_cluster.Authority, withoutKey));
        Assert.StartsWith("the certificate comes without its private key", e.Message);
    }
}
