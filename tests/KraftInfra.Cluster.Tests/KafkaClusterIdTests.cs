namespace KraftInfra.Cluster.Tests;

public class KafkaClusterIdTests
{
    // Expected values are the URL-safe base64 (no padding) of the UUID's 16 bytes in written
    // order, which is what Kafka's Uuid.toString() prints for the same 128 bits.
    [Theory]
    [InlineData("6b1f0c9e-2f5d-4c3a-9a8e-0f1d2c3b4a59", "ax8Mni9dTDqajg8dLDtKWQ")]
    [InlineData("00000000-0000-4000-8000-000000000000", "AAAAAAAAQACAAAAAAAAAAA")]
    [InlineData("ffffffff-ffff-4fff-bfff-ffffffffffff", "________T_-__________w")]
    [InlineData("f8000000-0000-4000-8000-000000000000", "-AAAAAAAQACAAAAAAAAAAA")]
    public void A_hyphenated_uuid_becomes_kafkas_22_character_form(string uuid, string kafkaId)
    {
        Assert.Equal(kafkaId, KafkaClusterId.FromUuid(uuid));
        Assert.Equal(22, kafkaId.Length);
    }

    [Fact]
    public void Upper_case_input_gives_the_same_id()
    {
        Assert.Equal(KafkaClusterId.FromUuid("6b1f0c9e-2f5d-4c3a-9a8e-0f1d2c3b4a59"),
            KafkaClusterId.FromUuid("6B1F0C9E-2F5D-4C3A-9A8E-0F1D2C3B4A59"));
    }

    [Fact]
    public void Converting_back_gives_the_original_uuid_for_many_random_uuids()
    {
        var random = new Random(42);
        for (var i = 0; i < 1000; i++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            var uuid = new Guid(bytes, bigEndian: true).ToString("D");
            if (uuid is "00000000-0000-0000-0000-000000000000" or "00000000-0000-0000-0000-000000000001")
                continue;
            var kafkaId = KafkaClusterId.FromUuid(uuid);
            Assert.Matches("^[A-Za-z0-9_-]{22}$", kafkaId);
            Assert.Equal(uuid, KafkaClusterId.ToUuid(kafkaId));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-uuid")]
    [InlineData("6b1f0c9e2f5d4c3a9a8e0f1d2c3b4a59")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    public void Malformed_and_reserved_ids_are_refused_with_the_value(string uuid)
    {
        var error = Assert.Throws<ArgumentException>(() => KafkaClusterId.FromUuid(uuid));
        Assert.Contains($"\"{uuid}\"", error.Message);
    }
}
