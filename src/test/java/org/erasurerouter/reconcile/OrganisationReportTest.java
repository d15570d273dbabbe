package org.erasurerouter.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.erasurerouter.intake.ErasureRequest;
import org.junit.jupiter.api.Test;

class OrganisationReportTest {

    private static ErasedUser user(String id, List<String> roles) {
        return new ErasedUser(new ErasureRequest("r-" + id, ErasureRequest.DELETE_USER, id, "org-1", 0, null, null, null,
                List.of(), roles, null), "DONE");
    }

    private static Map<String, Object> asset(String id, String name) {
        Map<String, Object> asset = new LinkedHashMap<>();
        asset.put("identifier", id);
        asset.put("name", name);
        asset.put("status", "Live");
        asset.put("objectType", "Content");
        return asset;
    }

    @Test
    void writesOneRowPerAssetWithTheReplacementAsUsernameAndWhatWasFound() throws Exception {
        OrganisationReport report = new OrganisationReport("reports/delete_user_20261201/org-1.csv", "org-1", "Deleted User");
        ErasedUser user = user("u-1", List.of("CONTENT_CREATOR", "BOOK_CREATOR"));
        Map<String, Integer> residuals = new LinkedHashMap<>(Map.of("neo4j", 1));
        residuals.put("redis", 2);

        report.write(user, List.of(asset("do_1", "Maths, grade 1"), asset("do_2", "The \"best\" course")), residuals, "REQUEUED");
        assertEquals(2, report.endUser(user, residuals, "REQUEUED"));
        File file = report.close();

        assertEquals(List.of(OrganisationReport.HEADER,
                "u-1,Deleted User,org-1,CONTENT_CREATOR;BOOK_CREATOR,do_1,\"Maths, grade 1\",Live,Content,neo4j;redis,REQUEUED",
                "u-1,Deleted User,org-1,CONTENT_CREATOR;BOOK_CREATOR,do_2,\"The \"\"best\"\" course\",Live,Content,neo4j;redis,REQUEUED"),
                Files.readAllLines(file.toPath(), StandardCharsets.UTF_8));
        report.discard();
        assertFalse(file.exists());
    }

    @Test
    void givesAUserWithoutAssetsOneRowSoEveryCheckedUserAppears() throws Exception {
        OrganisationReport report = new OrganisationReport("k.csv", "org-1", "Deleted User");
        report.endUser(user("u-2", List.of()), Map.of(), "DONE");
        File file = report.close();

        assertEquals(List.of(OrganisationReport.HEADER, "u-2,Deleted User,org-1,,,,,,,DONE"),
                Files.readAllLines(file.toPath(), StandardCharsets.UTF_8));
        assertEquals(1, report.rows());
        report.discard();
    }

    @Test
    void quotesFieldsHoldingSeparatorsQuotesOrLineBreaks() {
        assertEquals("plain", OrganisationReport.csv("plain"));
        assertEquals("\"a,b\"", OrganisationReport.csv("a,b"));
        assertEquals("\"line\nbreak\"", OrganisationReport.csv("line\nbreak"));
        assertEquals("\"say \"\"hi\"\"\"", OrganisationReport.csv("say \"hi\""));
        assertEquals("", OrganisationReport.csv(null));
    }
}
