package org.erasurerouter.reconcile;

import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One organisation's CSV of deleted users' assets, in Sunbird's DeletedUsersAssetsReportJob columns plus what
 * reconciliation found, spooled row by row to a temporary file so a report of any size takes constant memory; the
 * file is then uploaded in parts. The username column carries the replacement, never the name.
 */
public final class OrganisationReport {

    static final String HEADER = "userId,username,organisationId,roles,assetIdentifier,assetName,assetStatus,objectType,"
            + "residualStores,erasureStatus";

    private final String key;
    private final String organisationId;
    private final String username;
    private final Path file;
    private final BufferedWriter out;
    private long rows;
    private long userAssets;

    /**
     * @param key            the object key of the report, e.g. {@code reports/delete_user_20261201/org-1.csv}
     * @param organisationId the organisation, empty for users whose event named none
     * @param username       what the username column says for every deleted user (the configured replacement)
     */
    public OrganisationReport(String key, String organisationId, String username) {
        this.key = key;
        this.organisationId = organisationId;
        this.username = username;
        try {
            this.file = Files.createTempFile("erasure-report-", ".csv");
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            out.write(HEADER);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("could not spool the report " + key, e);
        }
    }

    /** Where the report is uploaded. */
    public String key() {
        return key;
    }

    public String organisationId() {
        return organisationId;
    }

    /** Rows written so far. */
    public long rows() {
        return rows;
    }

    /** Writes one row per asset of a page (identifier, name, status, objectType); answers how many. */
    public int write(ErasedUser user, List<Map<String, Object>> assets, Map<String, Integer> residuals, String status) {
        for (Map<String, Object> asset : assets) {
            row(user, text(asset.get("identifier")), text(asset.get("name")), text(asset.get("status")),
                    text(asset.get("objectType")), residuals, status);
        }
        userAssets += assets.size();
        return assets.size();
    }

    /**
     * Ends a user: one with no asset still gets a row (asset columns empty), so every user checked appears in the
     * report with what was found. Answers the user's assets listed.
     */
    public long endUser(ErasedUser user, Map<String, Integer> residuals, String status) {
        long assets = userAssets;
        if (assets == 0) {
            row(user, "", "", "", "", residuals, status);
        }
        userAssets = 0;
        return assets;
    }

    /** Closes the spool and answers the file to upload. */
    public File close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not spool the report " + key, e);
        }
        return file.toFile();
    }

    /** Removes the spool file (after the upload, or when the run failed). */
    public void discard() {
        try {
            out.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the spool of report " + key, e);
        }
    }

    private void row(ErasedUser user, String identifier, String name, String assetStatus, String objectType,
                     Map<String, Integer> residuals, String status) {
        try {
            out.write(String.join(",", csv(user.userId()), csv(username), csv(organisationId),
                    csv(String.join(";", user.request().roles())), csv(identifier), csv(name), csv(assetStatus),
                    csv(objectType), csv(String.join(";", residuals.keySet())), csv(status)));
            out.write('\n');
            rows++;
        } catch (IOException e) {
            throw new UncheckedIOException("could not spool the report " + key, e);
        }
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    /** A field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
    static String csv(String value) {
        if (value == null) {
            return "";
        }
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
