package org.erasurerouter.intake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.erasurerouter.intake.InvalidEventException.Reason;
import org.junit.jupiter.api.Test;

class EventValidatorTest {

    private final EventValidator validator = new EventValidator(4096);

    private static final String DELETE_USER = """
            {"eid":"BE_JOB_REQUEST","ets":1700000000000,"mid":"LP.1700000000000.6f1c",
             "actor":{"id":"Sunbird LMS Flink Job","type":"System"},
             "context":{"pdata":{"id":"org.sunbird.platform","ver":"1.0"},"channel":"0130928278170583","env":"staging"},
             "object":{"id":"u-1","type":"User"},
             "edata":{"action":"delete-user","iteration":1,"userId":"u-1","organisationId":"org-1",
                      "userName":"Ada Lovelace","suggested_users":[{"role":"ORG_ADMIN","users":["u-9"]}],"managed_users":["u-8"]}}""";

    private static final String TRANSFER = """
            {"eid":"BE_JOB_REQUEST","ets":1700000000001,"mid":"LP.1700000000001.77aa",
             "object":{"id":"u-1","type":"user"},
             "edata":{"action":"ownership-transfer","organisationId":"org-1",
                      "fromUserProfile":{"userId":"u-1","userName":"Ada Lovelace","roles":["CONTENT_CREATOR"]},
                      "toUserProfile":{"userId":"u-2","userName":"Grace Hopper","firstName":"Grace","lastName":"Hopper","roles":["CONTENT_CREATOR"]},
                      "actionBy":{"userId":"u-3","userName":"Admin"},
                      "assetInformation":{"objectType":"Content","identifier":"do_1"}}}""";

    private ErasureRequest valid(String json) {
        return validator.validate(json.getBytes(UTF_8));
    }

    private Reason refused(String json) {
        return assertThrows(InvalidEventException.class, () -> valid(json)).getReason();
    }

    @Test
    void readsADeleteUserJobRequest() {
        ErasureRequest request = valid(DELETE_USER);
        assertEquals("LP.1700000000000.6f1c", request.requestId());
        assertEquals("delete-user", request.action());
        assertEquals("u-1", request.userId());
        assertEquals("org-1", request.organisationId());
        assertEquals(1700000000000L, request.eventTime());
        assertEquals("Ada Lovelace", request.userName());
        assertNull(request.toUserId());
    }

    @Test
    void acceptsAnEventWithoutTheOptionalFields() {
        ErasureRequest request = valid("""
                {"eid":"BE_JOB_REQUEST","ets":5,"mid":"m-1","object":{"id":"u-1","type":"USER"},
                 "edata":{"action":"delete-user","userId":"u-1"}}""");
        assertEquals("u-1", request.userId());
        assertNull(request.userName());
        assertNull(request.organisationId());
    }

    @Test
    void fallsBackToActionUserAndEventTimeWhenTheMessageIdIsMissing() {
        ErasureRequest request = valid(DELETE_USER.replace("\"mid\":\"LP.1700000000000.6f1c\",", ""));
        assertEquals("delete-user:u-1:1700000000000", request.requestId());
    }

    @Test
    void readsAnOwnershipTransferWithItsAssetAndComparesTheObjectTypeIgnoringCase() {
        ErasureRequest request = valid(TRANSFER);
        assertEquals("ownership-transfer", request.action());
        assertEquals("u-1", request.userId());
        assertEquals("u-2", request.toUserId());
        assertEquals(List.of("do_1"), request.assetIds());
    }

    @Test
    void readsATransferOfAllAssetsFromAnEmptyAssetInformation() {
        assertEquals(List.of(), valid(TRANSFER.replace("{\"objectType\":\"Content\",\"identifier\":\"do_1\"}", "{}")).assetIds());
    }

    @Test
    void passesUnknownActionsOnForTheRouterToRefuse() {
        assertEquals("archive-user", valid(DELETE_USER.replace("delete-user", "archive-user")).action());
    }

    @Test
    void refusesMalformedJson() {
        assertEquals(Reason.MALFORMED_JSON, refused("{\"eid\":\"BE_JOB_REQUEST\", Ada Lovelace"));
        assertEquals(Reason.MALFORMED_JSON, refused("[1,2,3]"));
        assertEquals(Reason.MALFORMED_JSON, assertThrows(InvalidEventException.class, () -> validator.validate(new byte[0])).getReason());
    }

    @Test
    void refusesJsonBeyondTheParsersLimitsAsMalformed() {
        // Jackson refuses these with a StreamConstraintsException, which has no location in the text
        assertEquals(Reason.MALFORMED_JSON, refused("{\"edata\":" + "[".repeat(1001) + "]".repeat(1001) + "}"));
        assertEquals(Reason.MALFORMED_JSON, refused("{\"ets\":" + "1".repeat(1001) + "}"));
    }

    @Test
    void keepsTheEventTextOutOfTheMalformedJsonMessage() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> valid("{\"edata\":{\"userName\":\"Ada Lovelace\" \"x\"}}"));
        assertFalse(e.getMessage().contains("Ada"), e.getMessage());
    }

    @Test
    void refusesAWrongEid() {
        assertEquals(Reason.WRONG_EID, refused(DELETE_USER.replace("BE_JOB_REQUEST", "BE_AUDIT")));
        assertEquals(Reason.WRONG_EID, refused(DELETE_USER.replace("\"eid\":\"BE_JOB_REQUEST\",", "")));
    }

    @Test
    void refusesAnObjectThatIsNotAUser() {
        assertEquals(Reason.NOT_A_USER, refused(DELETE_USER.replace("\"type\":\"User\"", "\"type\":\"Content\"")));
    }

    @Test
    void refusesAMissingOrBlankUserId() {
        assertEquals(Reason.MISSING_USER_ID, refused(DELETE_USER.replace("\"userId\":\"u-1\",", "")));
        assertEquals(Reason.MISSING_USER_ID, refused(DELETE_USER.replace("\"userId\":\"u-1\"", "\"userId\":\"  \"")));
        assertEquals(Reason.MISSING_USER_ID, refused(DELETE_USER.replace("\"userId\":\"u-1\"", "\"userId\":{\"id\":\"u-1\"}")));
        assertEquals(Reason.MISSING_USER_ID, refused(TRANSFER.replace("\"userId\":\"u-1\",", "")));
    }

    @Test
    void refusesATransferWithoutANewOwner() {
        assertEquals(Reason.MISSING_FIELD, refused(TRANSFER.replace("\"userId\":\"u-2\",", "")));
    }

    @Test
    void refusesAMissingAction() {
        assertEquals(Reason.UNKNOWN_ACTION, refused(DELETE_USER.replace("\"action\":\"delete-user\",", "")));
    }

    @Test
    void refusesAnEventOverTheSizeLimitBeforeParsingIt() {
        byte[] big = ("{\"pad\":\"" + "x".repeat(5000) + "\"}").getBytes(UTF_8);
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> validator.validate(big));
        assertEquals(Reason.TOO_LARGE, e.getReason());
        assertEquals("the event is 5010 bytes, over the limit of 4096", e.getMessage());
    }

    @Test
    void keepsTheNameOutOfTheRequestsStringForm() {
        assertFalse(valid(DELETE_USER).toString().contains("Ada"));
    }
}
