package org.erasurerouter.intake;

import static org.erasurerouter.intake.InvalidEventException.Reason.MALFORMED_JSON;
import static org.erasurerouter.intake.InvalidEventException.Reason.MISSING_FIELD;
import static org.erasurerouter.intake.InvalidEventException.Reason.MISSING_USER_ID;
import static org.erasurerouter.intake.InvalidEventException.Reason.NOT_A_USER;
import static org.erasurerouter.intake.InvalidEventException.Reason.TOO_LARGE;
import static org.erasurerouter.intake.InvalidEventException.Reason.UNKNOWN_ACTION;
import static org.erasurerouter.intake.InvalidEventException.Reason.WRONG_EID;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;

/**
 * Turns the raw bytes of a Sunbird job-request event into an {@link ErasureRequest}, or refuses it with a reason.
 * Unknown actions pass: the content-based router refuses those, so that adding an action is a route edit.
 */
public final class EventValidator {

    static final String EID = "BE_JOB_REQUEST";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int maxBytes;

    public EventValidator(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    public ErasureRequest validate(byte[] event) {
        if (event == null || event.length == 0) {
            throw new InvalidEventException(MALFORMED_JSON, "the event is empty");
        }
        if (event.length > maxBytes) {
            throw new InvalidEventException(TOO_LARGE, "the event is " + event.length + " bytes, over the limit of " + maxBytes);
        }
        JsonNode root = parse(event);
        if (!EID.equals(root.path("eid").asText(null))) {
            throw new InvalidEventException(WRONG_EID, "eid is not " + EID);
        }
        if (!"user".equals(root.path("object").path("type").asText("").toLowerCase(Locale.ROOT))) {
            throw new InvalidEventException(NOT_A_USER, "object.type is not User");
        }
        JsonNode edata = root.path("edata");
        String action = text(edata, "action");
        if (action == null) {
            throw new InvalidEventException(UNKNOWN_ACTION, "edata.action is missing or blank");
        }
        long ets = root.path("ets").asLong(0);
        String mid = text(root, "mid");
        String organisationId = text(edata, "organisationId");

        if (ErasureRequest.OWNERSHIP_TRANSFER.equals(action)) {
            JsonNode from = edata.path("fromUserProfile");
            String userId = required(from, "userId", "edata.fromUserProfile.userId", MISSING_USER_ID);
            JsonNode to = edata.path("toUserProfile");
            String toUserId = required(to, "userId", "edata.toUserProfile.userId", MISSING_FIELD);
            String assetId = text(edata.path("assetInformation"), "identifier");
            return new ErasureRequest(requestId(mid, action, userId, ets), action, userId, organisationId, ets,
                    text(from, "userName"), toUserId, text(to, "userName"), assetId == null ? List.of() : List.of(assetId));
        }
        String userId = required(edata, "userId", "edata.userId", MISSING_USER_ID);
        return new ErasureRequest(requestId(mid, action, userId, ets), action, userId, organisationId, ets,
                text(edata, "userName"), null, null, List.of(), texts(edata.path("roles")), null);
    }

    /** The strings of an optional array (blank ones left out); anything else counts as none. */
    private static List<String> texts(JsonNode array) {
        List<String> texts = new java.util.ArrayList<>();
        if (!array.isArray()) {
            return texts;
        }
        array.forEach(element -> {
            if (element.isTextual() && !element.textValue().isBlank()) {
                texts.add(element.textValue().trim());
            }
        });
        return texts;
    }

    private static JsonNode parse(byte[] event) {
        try {
            JsonNode root = JSON.readTree(event);
            if (root == null || !root.isObject()) {
                throw new InvalidEventException(MALFORMED_JSON, "the event is not a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            // the parser's message quotes the offending text, which may be personal data: keep only the position, which
            // a refusal for the parser's limits (nesting depth, number length) does not have
            JsonLocation at = e.getLocation();
            String where = at == null ? "beyond the parser's limits" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidEventException(MALFORMED_JSON, "the event is not valid JSON (" + where + ")");
        } catch (java.io.IOException e) {
            throw new InvalidEventException(MALFORMED_JSON, "the event could not be read as JSON");
        }
    }

    /** The idempotency key: the message id, or action + user + event time for producers that send none. */
    static String requestId(String mid, String action, String userId, long ets) {
        return mid != null ? mid : action + ":" + userId + ":" + ets;
    }

    private static String required(JsonNode parent, String field, String path, InvalidEventException.Reason reason) {
        String value = text(parent, field);
        if (value == null) {
            throw new InvalidEventException(reason, path + " is missing or blank");
        }
        return value;
    }

    private static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        return node != null && node.isValueNode() && !node.asText().isBlank() ? node.asText().trim() : null;
    }
}
