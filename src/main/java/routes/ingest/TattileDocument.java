package routes.ingest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A Tattile document as the camera sends it, whatever its root element ({@code <root>}, {@code <Msg>}…).
 * Every field is text as received; {@link ReadingParser} validates and converts. Unknown tags are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class TattileDocument {
    @JsonProperty("PLATE_STRING")
    public String plate;

    @JsonProperty("DATE")
    public String date;

    @JsonProperty("TIME")
    public String time;

    @JsonProperty("DEVICE_SN")
    public String deviceSn;

    @JsonProperty("DEVICE_NAME")
    public String deviceName;

    @JsonProperty("OCRSCORE")
    public String ocrScore;

    @JsonProperty("DIRECTION")
    public String direction;

    @JsonProperty("LANE_ID")
    public String laneId;

    @JsonProperty("LANE_DESCR")
    public String laneDescr;

    @JsonProperty("ORIG_PLATE_MIN_X")
    public String bboxMinX;

    @JsonProperty("ORIG_PLATE_MIN_Y")
    public String bboxMinY;

    @JsonProperty("ORIG_PLATE_MAX_X")
    public String bboxMaxX;

    @JsonProperty("ORIG_PLATE_MAX_Y")
    public String bboxMaxY;

    @JsonProperty("PLATE_CHAR_HEIGHT")
    public String plateCharHeight;

    @JsonProperty("CHAR_HEIGHT")
    public String charHeight;

    @JsonProperty("PLATE_COUNTRY_CODE")
    public String countryCode;

    @JsonProperty("PLATE_COUNTRY")
    public String country;

    @JsonProperty("IMAGE_OCR")
    public String imageOcr;

    @JsonProperty("IMAGE_CTX")
    public String imageCtx;
}
