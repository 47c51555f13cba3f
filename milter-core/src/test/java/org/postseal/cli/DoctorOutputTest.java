package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postseal.doctor.DoctorReport;
import org.postseal.doctor.Finding;
import org.postseal.doctor.Severity;

class DoctorOutputTest {

  private static final DoctorReport REPORT = new DoctorReport("bad.example", Optional.of("192.0.2.99"), List.of(
      new Finding("MX", Severity.OK, "MX 10 mx.bad.example. (192.0.2.99)", ""),
      new Finding("SPF", Severity.ERROR, "the record needs 11 DNS lookups", "bring it to 10 or fewer"),
      new Finding("SPF", Severity.WARNING, "ends in ?all", "end it in -all"),
      new Finding("DMARC", Severity.INFO, "tree walk: \"_dmarc.bad.example\" (record)", "")));

  @Test
  void text_groupsFindingsByAreaWithTheFixUnderEach_thenCountsThem() {
    assertThat(DoctorOutput.text(REPORT)).isEqualTo("""
        Doctor report for bad.example (server 192.0.2.99)

        MX
          ok      MX 10 mx.bad.example. (192.0.2.99)

        SPF
          error   the record needs 11 DNS lookups
                  fix: bring it to 10 or fewer
          warning ends in ?all
                  fix: end it in -all

        DMARC
          info    tree walk: "_dmarc.bad.example" (record)

        1 error(s), 1 warning(s): receivers will distrust or reject mail from bad.example until the errors are fixed.
        """);
    assertThat(DoctorOutput.text(new DoctorReport("good.example", Optional.empty(), List.of())))
        .isEqualTo("Doctor report for good.example\n\n0 error(s), 0 warning(s).\n");
  }

  @Test
  void json_carriesTheCountsAndEveryFinding() throws Exception {
    JsonNode json = new ObjectMapper().readTree(DoctorOutput.json(REPORT));

    assertThat(json.get("domain").asText()).isEqualTo("bad.example");
    assertThat(json.get("ip").asText()).isEqualTo("192.0.2.99");
    assertThat(json.get("errors").asInt()).isEqualTo(1);
    assertThat(json.get("warnings").asInt()).isEqualTo(1);
    assertThat(json.get("findings")).hasSize(4);
    JsonNode last = json.get("findings").get(3);
    assertThat(last.get("area").asText()).isEqualTo("DMARC");
    assertThat(last.get("severity").asText()).isEqualTo("info");
    assertThat(last.get("message").asText()).isEqualTo("tree walk: \"_dmarc.bad.example\" (record)");
    assertThat(last.get("fix").asText()).isEmpty();
    JsonNode noIp = new ObjectMapper().readTree(DoctorOutput.json(new DoctorReport("nothing.good.example",
        Optional.empty(), List.of())));
    assertThat(noIp.get("ip").isNull()).isTrue();
    assertThat(noIp.get("findings")).isEmpty();
  }
}
